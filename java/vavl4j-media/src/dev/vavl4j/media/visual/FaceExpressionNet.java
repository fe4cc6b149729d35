package dev.vavl4j.media.visual;

import java.util.List;
import java.util.Map;

/**
 * face-api's FaceExpressionNet in Java ({@code src/faceExpressionNet}, {@code src/faceProcessor},
 * {@code src/faceFeatureExtractor}), reading the shipped {@code face_expression_model} weights:
 * <ol>
 *   <li>a 112×112 RGB face ({@code toBatchTensor(112, true)} is then the identity), {@code normalize} by the
 *       mean RGB (122.782, 117.001, 104.298), divided by 255;</li>
 *   <li>four dense blocks ({@code denseBlock4}): out1 = relu(conv0) with stride 2 (a full 3×3 conv in dense0,
 *       separable in the others, TF 'same' padding), out2..out4 = separable 3×3 convs with bias, each fed
 *       relu of the sum of the outputs before it; the block's output is relu(out1 + out2 + out3 + out4).
 *       Channels 32, 64, 128, 256; sizes 56, 28, 14, 7;</li>
 *   <li>average pool 7×7 stride 2 'valid': the 256-dim bottleneck, {@link #features}, the per-frame
 *       feature of the {@code faceexpr} front end;</li>
 *   <li>{@code fc} (256 → 7) and softmax: the probabilities of {@link #EXPRESSIONS}, {@link #probabilities}.</li>
 * </ol>
 * Immutable and shared by any number of threads; each thread passes its own {@link Scratch}.
 */
public final class FaceExpressionNet {
    public static final int INPUT_SIZE = 112;
    public static final int FEATURE_DIM = 256;
    /** face-api's {@code FACE_EXPRESSION_LABELS}, the order of {@link #probabilities}. */
    public static final List<String> EXPRESSIONS = List.of("neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised");
    static final float[] MEAN_RGB = {122.782f, 117.001f, 104.298f};
    private static final int[] CHANNELS = {32, 64, 128, 256};
    static final String MANIFEST = "dev/vavl4j/media/visual/face_expression_model-weights_manifest.json";

    /** [block][conv]: conv0 (dense0's a full 3×3 conv as a [27, 32] matrix, the others separable), conv1..conv3. */
    private final float[][][] pw = new float[4][4][], dw = new float[4][4][], bias = new float[4][4][];
    private final float[] fcW, fcB;
    private final Map<String, String> sha256;

    private static final class BuiltIn {
        static final FaceExpressionNet INSTANCE = new FaceExpressionNet(TfjsWeights.fromClassPath(MANIFEST));
    }

    /** The network with the weights shipped in this jar, loaded once. */
    public static FaceExpressionNet builtIn() {
        return BuiltIn.INSTANCE;
    }

    public FaceExpressionNet(TfjsWeights w) {
        for (int b = 0; b < 4; b++) {
            int cin = b == 0 ? 3 : CHANNELS[b - 1], c = CHANNELS[b];
            String p = "dense" + b + "/conv";
            if (b == 0) {
                pw[0][0] = w.tensor(p + "0/filters", 3, 3, 3, c).values();
            } else {
                dw[b][0] = w.tensor(p + "0/depthwise_filter", 3, 3, cin, 1).values();
                pw[b][0] = w.tensor(p + "0/pointwise_filter", 1, 1, cin, c).values();
            }
            bias[b][0] = w.tensor(p + "0/bias", c).values();
            for (int k = 1; k < 4; k++) {
                dw[b][k] = w.tensor(p + k + "/depthwise_filter", 3, 3, c, 1).values();
                pw[b][k] = w.tensor(p + k + "/pointwise_filter", 1, 1, c, c).values();
                bias[b][k] = w.tensor(p + k + "/bias", c).values();
            }
        }
        fcW = w.tensor("fc/weights", FEATURE_DIM, EXPRESSIONS.size()).values();
        fcB = w.tensor("fc/bias", EXPRESSIONS.size()).values();
        sha256 = w.sha256();
    }

    /** SHA-256 of the manifest and the shard this network was built from. */
    public Map<String, String> weightsSha256() {
        return sha256;
    }

    /** Steps 1–3 on a 112×112 packed RGB face ({@code rgb[(y·112 + x)·3 + c]}): the 256 bottleneck features. */
    public float[] features(byte[] rgb112, Scratch s) {
        if (rgb112.length != INPUT_SIZE * INPUT_SIZE * 3) {
            throw new IllegalArgumentException("a face crop is 112x112 RGB, " + INPUT_SIZE * INPUT_SIZE * 3 + " bytes; got " + rgb112.length);
        }
        float[] x = s.x;
        for (int i = 0; i < rgb112.length; i++) x[i] = ((rgb112[i] & 0xff) - MEAN_RGB[i % 3]) / 255f;
        int h = INPUT_SIZE, cin = 3;
        for (int b = 0; b < 4; b++) {
            int c = CHANNELS[b], oh = NnOps.sameOut(h, 2), pad = NnOps.samePadBefore(h, 3, 2);
            // out1 = relu(conv0(x)), stride 2
            if (b == 0) {
                NnOps.im2col3x3(x, h, h, cin, 2, pad, pad, 0, oh, oh, s.t);
                NnOps.matmul(s.t, 0, oh * oh, 9 * cin, pw[0][0], c, bias[0][0], NnOps.RELU, s.out[0], 0);
            } else {
                NnOps.depthwise3x3(x, h, h, cin, dw[b][0], 2, pad, pad, s.t, oh, oh);
                NnOps.matmul(s.t, 0, oh * oh, cin, pw[b][0], c, bias[b][0], NnOps.RELU, s.out[0], 0);
            }
            int n = oh * oh * c;
            // out(k+1) = sep(relu(out1 + ... + outk)), the sums nested as denseBlock4 writes them
            for (int k = 1; k < 4; k++) {
                float[] in = k == 1 ? s.out[0] : s.sum;
                if (k > 1) sumRelu(s.out, k, n, s.sum);
                NnOps.depthwise3x3(in, oh, oh, c, dw[b][k], 1, 1, 1, s.t, oh, oh);
                NnOps.matmul(s.t, 0, oh * oh, c, pw[b][k], c, bias[b][k], NnOps.NONE, s.out[k], 0);
            }
            sumRelu(s.out, 4, n, s.x);
            x = s.x;
            h = oh;
            cin = c;
        }
        float[] f = new float[FEATURE_DIM];
        NnOps.avgPool(x, h, h, cin, 7, 2, f);
        return f;
    }

    /**
     * relu(out[0] + (out[1] + (… + out[k−1]))): denseBlock4 adds right to left ({@code tf.add(out1,
     * tf.add(out2, out3))}), which float rounding can tell apart from left to right.
     */
    private static void sumRelu(float[][] out, int k, int n, float[] dst) {
        for (int i = 0; i < n; i++) {
            float v = out[k - 1][i];
            for (int j = k - 2; j >= 0; j--) v = out[j][i] + v;
            dst[i] = v > 0f ? v : 0f;
        }
    }

    /** Step 4: softmax of {@code fc(features)}, in the order of {@link #EXPRESSIONS}. */
    public float[] probabilities(float[] features) {
        int n = EXPRESSIONS.size();
        double[] logit = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            float v = 0f;
            for (int i = 0; i < FEATURE_DIM; i++) v += features[i] * fcW[i * n + j];
            logit[j] = v + fcB[j];
            max = Math.max(max, logit[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) sum += logit[j] = Math.exp(logit[j] - max);
        float[] p = new float[n];
        for (int j = 0; j < n; j++) p[j] = (float) (logit[j] / sum);
        return p;
    }

    /** One thread's buffers. Not thread-safe. */
    public static final class Scratch {
        private static final int LARGEST = 56 * 56 * 32; // dense0's outputs; later blocks are smaller
        final float[] x = new float[Math.max(INPUT_SIZE * INPUT_SIZE * 3, LARGEST)];
        final float[] t = new float[LARGEST]; // dense0's im2col patches (56·56·27), every depthwise output
        final float[] sum = new float[LARGEST];
        final float[][] out = new float[4][LARGEST];
    }
}
