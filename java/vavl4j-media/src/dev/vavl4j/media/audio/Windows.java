package dev.vavl4j.media.audio;

/**
 * Frame windows as torchaudio builds them ({@code torch.hann_window(n, periodic=False)} and friends, in
 * float32). Each is computed with torch's float32 operation order; cos and pow come from StrictMath
 * rounded to float, where torch uses SLEEF's 1-ulp vector routines, so a computed window can differ from
 * torch's by a few ulps (for the povey window of 400: up to 12 ulps, at 11 of the 400 points).
 *
 * <p>That difference is not negligible for the default frame: a low mel bin whose energy pre-emphasis has
 * nearly cancelled is so ill-conditioned that those ulps move it by up to 6.4e-4 in log on the CREMA-D
 * clips (1.6e-3 with numpy's cos in place of StrictMath's), against 2.3e-5 with torch's own window. So the
 * default povey window of 400 samples is not computed but taken bit for bit from torch
 * ({@link #TORCH_POVEY_400}); every other window is computed.
 */
final class Windows {
    private Windows() {}

    static float[] window(String type, int n) {
        if (type.equals("povey") && n == 400) {
            float[] w = new float[n];
            for (int i = 0; i < n; i++) w[i] = Float.intBitsToFloat(TORCH_POVEY_400[i]);
            return w;
        }
        float[] w = new float[n];
        switch (type) {
            case "rectangular" -> java.util.Arrays.fill(w, 1f);
            case "hanning" -> cosine(w, 0.5, 0.5);
            case "hamming" -> cosine(w, 0.54, 0.46);
            case "povey" -> {
                cosine(w, 0.5, 0.5);
                float e = 0.85f;   // torch passes the exponent to powf as a float
                for (int i = 0; i < n; i++) w[i] = (float) StrictMath.pow(w[i], e);
            }
            case "blackman" -> {
                // torchaudio: 0.42 - 0.5·cos(a·i) + (0.5 - 0.42)·cos(2a·i), a = 2π/(n-1), each term in float32
                float a = (float) (2 * Math.PI / (n - 1)), a2 = (float) (2 * (2 * Math.PI / (n - 1)));
                float c0 = 0.42f, c2 = (float) (0.5 - 0.42);
                for (int i = 0; i < n; i++) {
                    float t1 = 0.5f * (float) StrictMath.cos(i * a);
                    float t2 = c2 * (float) StrictMath.cos(i * a2);
                    w[i] = (c0 - t1) + t2;
                }
            }
            default -> throw new IllegalArgumentException("unknown window " + type);
        }
        return w;
    }

    /** torch.hamming_window(n, periodic=False, alpha, beta): alpha - beta·cos(2π i/(n-1)), each step rounded to float. */
    private static void cosine(float[] w, double alpha, double beta) {
        int n = w.length;
        if (n == 1) { w[0] = 1f; return; }
        float step = (float) (Math.PI * 2.0 / (n - 1)), mb = (float) -beta, al = (float) alpha;
        for (int i = 0; i < n; i++) {
            float c = (float) StrictMath.cos(i * step);
            w[i] = c * mb + al;
        }
    }

    /**
     * IEEE bits of {@code torch.hann_window(400, periodic=False).pow(0.85)} (torch 1.13.1, x86-64, AVX2),
     * printed by {@code /usr/bin/python3 tests/tools/fbank_reference.py --window-table}.
     */
    static final int[] TORCH_POVEY_400 = {
            0x00000000, 0x398b01c2, 0x3a61d13c, 0x3ae0ed7f, 0x3b376219, 0x3b85f871, 0x3bb69cf0, 0x3bed450d,
            0x3c14d3ee, 0x3c35c461, 0x3c595962, 0x3c7f7c2a, 0x3c940c1c, 0x3ca98d87, 0x3cc039e2, 0x3cd8097f,
            0x3cf0f521, 0x3d057b01, 0x3d1302e1, 0x3d210f2b, 0x3d2f9d09, 0x3d3ea9ba, 0x3d4e3290, 0x3d5e3507,
            0x3d6eaeb6, 0x3d7f9d37, 0x3d887f1b, 0x3d9167b1, 0x3d9a8753, 0x3da3dce8, 0x3dad675c, 0x3db725aa,
            0x3dc116c9, 0x3dcb39bf, 0x3dd58d83, 0x3de01125, 0x3deac3a6, 0x3df5a410, 0x3e0058b9, 0x3e05f570,
            0x3e0ba7b2, 0x3e116f06, 0x3e174afd, 0x3e1d3b1c, 0x3e233eee, 0x3e295605, 0x3e2f7fe5, 0x3e35bc22,
            0x3e3c0a45, 0x3e4269db, 0x3e48da79, 0x3e4f5ba4, 0x3e55ecf1, 0x3e5c8ded, 0x3e633e23, 0x3e69fd2c,
            0x3e70ca8e, 0x3e77a5dc, 0x3e7e8ea9, 0x3e82c241, 0x3e86437a, 0x3e89cacb, 0x3e8d57fb, 0x3e90ead2,
            0x3e948318, 0x3e982096, 0x3e9bc315, 0x3e9f6a5e, 0x3ea31636, 0x3ea6c669, 0x3eaa7abf, 0x3eae3301,
            0x3eb1eef9, 0x3eb5ae6e, 0x3eb97129, 0x3ebd36f4, 0x3ec0ff9a, 0x3ec4cadf, 0x3ec89894, 0x3ecc687c,
            0x3ed03a62, 0x3ed40e11, 0x3ed7e352, 0x3edbb9f1, 0x3edf91b5, 0x3ee36a68, 0x3ee743d6, 0x3eeb1dc8,
            0x3eeef80a, 0x3ef2d267, 0x3ef6aca7, 0x3efa8697, 0x3efe6001, 0x3f011c58, 0x3f03083a, 0x3f04f389,
            0x3f06de2c, 0x3f08c80a, 0x3f0ab109, 0x3f0c990e, 0x3f0e8000, 0x3f1065c6, 0x3f124a44, 0x3f142d64,
            0x3f160f0b, 0x3f17ef21, 0x3f19cd8b, 0x3f1baa31, 0x3f1d84fa, 0x3f1f5dcf, 0x3f213498, 0x3f230939,
            0x3f24db9c, 0x3f26abaa, 0x3f287949, 0x3f2a4463, 0x3f2c0ce1, 0x3f2dd2a9, 0x3f2f95a5, 0x3f3155bf,
            0x3f3312de, 0x3f34ccef, 0x3f3683d8, 0x3f383783, 0x3f39e7dc, 0x3f3b94cb, 0x3f3d3e3c, 0x3f3ee418,
            0x3f40864a, 0x3f4224bc, 0x3f43bf5b, 0x3f455612, 0x3f46e8cb, 0x3f487773, 0x3f4a01f6, 0x3f4b883f,
            0x3f4d0a3b, 0x3f4e87d6, 0x3f5000fe, 0x3f51759f, 0x3f52e5a7, 0x3f545105, 0x3f55b7a5, 0x3f571974,
            0x3f587664, 0x3f59ce60, 0x3f5b2158, 0x3f5c6f3b, 0x3f5db7f8, 0x3f5efb80, 0x3f6039c2, 0x3f6172ae,
            0x3f62a635, 0x3f63d448, 0x3f64fcd6, 0x3f661fd2, 0x3f673d2e, 0x3f6854db, 0x3f6966ca, 0x3f6a72ee,
            0x3f6b793d, 0x3f6c79a5, 0x3f6d741c, 0x3f6e6896, 0x3f6f5705, 0x3f703f5f, 0x3f712198, 0x3f71fda3,
            0x3f72d378, 0x3f73a30c, 0x3f746c52, 0x3f752f43, 0x3f75ebd4, 0x3f76a1fc, 0x3f7751b2, 0x3f77faed,
            0x3f789da6, 0x3f7939d3, 0x3f79cf6e, 0x3f7a5e6f, 0x3f7ae6ce, 0x3f7b6886, 0x3f7be38f, 0x3f7c57e4,
            0x3f7cc57f, 0x3f7d2c5b, 0x3f7d8c72, 0x3f7de5c0, 0x3f7e383f, 0x3f7e83ee, 0x3f7ec8c7, 0x3f7f06c7,
            0x3f7f3deb, 0x3f7f6e31, 0x3f7f9795, 0x3f7fba16, 0x3f7fd5b4, 0x3f7fea6b, 0x3f7ff83b, 0x3f7fff23,
            0x3f7fff23, 0x3f7ff83b, 0x3f7fea6b, 0x3f7fd5b4, 0x3f7fba17, 0x3f7f9796, 0x3f7f6e31, 0x3f7f3deb,
            0x3f7f06c7, 0x3f7ec8c7, 0x3f7e83ee, 0x3f7e3840, 0x3f7de5c0, 0x3f7d8c72, 0x3f7d2c5b, 0x3f7cc57f,
            0x3f7c57e5, 0x3f7be390, 0x3f7b6887, 0x3f7ae6ce, 0x3f7a5e6f, 0x3f79cf6e, 0x3f7939d3, 0x3f789da7,
            0x3f77faee, 0x3f7751b2, 0x3f76a1fc, 0x3f75ebd5, 0x3f752f44, 0x3f746c54, 0x3f73a30c, 0x3f72d378,
            0x3f71fda4, 0x3f712199, 0x3f703f5f, 0x3f6f5706, 0x3f6e6896, 0x3f6d741e, 0x3f6c79a6, 0x3f6b793e,
            0x3f6a72f0, 0x3f6966ca, 0x3f6854db, 0x3f673d2f, 0x3f661fd3, 0x3f64fcd8, 0x3f63d448, 0x3f62a637,
            0x3f6172b0, 0x3f6039c3, 0x3f5efb82, 0x3f5db7f8, 0x3f5c6f3b, 0x3f5b2158, 0x3f59ce60, 0x3f587666,
            0x3f571976, 0x3f55b7a5, 0x3f545107, 0x3f52e5a8, 0x3f5175a1, 0x3f5000fe, 0x3f4e87d8, 0x3f4d0a3b,
            0x3f4b8840, 0x3f4a01f6, 0x3f487775, 0x3f46e8cd, 0x3f455612, 0x3f43bf5d, 0x3f4224bd, 0x3f40864c,
            0x3f3ee418, 0x3f3d3e3f, 0x3f3b94cc, 0x3f39e7df, 0x3f383785, 0x3f3683db, 0x3f34ccf1, 0x3f3312df,
            0x3f3155c0, 0x3f2f95a5, 0x3f2dd2ab, 0x3f2c0ce1, 0x3f2a4466, 0x3f28794b, 0x3f26abac, 0x3f24db9d,
            0x3f230939, 0x3f213499, 0x3f1f5dd0, 0x3f1d84fd, 0x3f1baa32, 0x3f19cd8d, 0x3f17ef21, 0x3f160f0e,
            0x3f142d65, 0x3f124a48, 0x3f1065c7, 0x3f0e8000, 0x3f0c9910, 0x3f0ab109, 0x3f08c80d, 0x3f06de2d,
            0x3f04f38c, 0x3f03083b, 0x3f011c5c, 0x3efe6004, 0x3efa869d, 0x3ef6acaa, 0x3ef2d266, 0x3eeef80f,
            0x3eeb1dc9, 0x3ee743db, 0x3ee36a6a, 0x3edf91ba, 0x3edbb9f3, 0x3ed7e35a, 0x3ed40e15, 0x3ed03a69,
            0x3ecc687f, 0x3ec89893, 0x3ec4cae5, 0x3ec0ff9a, 0x3ebd36fa, 0x3eb9712b, 0x3eb5ae73, 0x3eb1eefa,
            0x3eae3307, 0x3eaa7ac2, 0x3ea6c670, 0x3ea31639, 0x3e9f6a5c, 0x3e9bc319, 0x3e982097, 0x3e94831c,
            0x3e90ead3, 0x3e8d5800, 0x3e89cace, 0x3e864380, 0x3e82c243, 0x3e7e8eb6, 0x3e77a5e2, 0x3e70ca8e,
            0x3e69fd33, 0x3e633e25, 0x3e5c8df3, 0x3e55ecf3, 0x3e4f5bad, 0x3e48da7c, 0x3e4269e7, 0x3e3c0a49,
            0x3e35bc2e, 0x3e2f7fec, 0x3e295605, 0x3e233ef7, 0x3e1d3b1c, 0x3e174b04, 0x3e116f0b, 0x3e0ba7b9,
            0x3e05f575, 0x3e0058c3, 0x3df5a41a, 0x3deac3a6, 0x3de0112f, 0x3dd58d83, 0x3dcb39c9, 0x3dc116ce,
            0x3db725b9, 0x3dad6761, 0x3da3dcf8, 0x3d9a875d, 0x3d9167c1, 0x3d887f20, 0x3d7f9d37, 0x3d6eaecd,
            0x3d5e3513, 0x3d4e32a7, 0x3d3ea9ba, 0x3d2f9d20, 0x3d210f37, 0x3d1302fa, 0x3d057b0e, 0x3cf0f554,
            0x3cd80999, 0x3cc039e2, 0x3ca98da2, 0x3c940c1c, 0x3c7f7c63, 0x3c595962, 0x3c35c49d, 0x3c14d42d,
            0x3bed458f, 0x3bb69d78, 0x3b85f900, 0x3b376219, 0x3ae0ed7f, 0x3a61d13c, 0x398b01c2, 0x00000000,
    };
}
