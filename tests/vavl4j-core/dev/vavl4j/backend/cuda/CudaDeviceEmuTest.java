package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** CudaDevice on the CPU emulator (on the GPU under gpu-check.sh): copies, argument checks, errors, lifecycle. */
class CudaDeviceEmuTest {
    private static CudaDevice open() {
        return CudaDevice.open(EmulatedCuda.libraries(), 0);
    }

    private static float[] seq(int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = scale * (i - n / 3f);
        return x;
    }

    @Test
    void describesTheDevice() {
        try (CudaDevice dev = open()) {
            String d = dev.description();
            assertTrue(d.matches(".+ \\(sm_\\d+, \\d+\\.\\d GiB\\)"), d);
        }
    }

    @Test
    void uploadDownloadRoundTrip() {
        try (CudaDevice dev = open()) {
            for (int n : new int[] {1, 7, 1000, 300_000}) { // the last goes past the staging buffer
                float[] x = seq(n, 0.5f);
                long p = dev.allocate(4L * n);
                dev.upload(x, p);
                float[] back = new float[n];
                dev.download(p, back);
                assertArrayEquals(x, back);
                dev.free(p);
            }
        }
    }

    @Test
    void intUploadKeepsTheBits() {
        try (CudaDevice dev = open()) {
            int[] v = {0, 1, -1, 7, Integer.MAX_VALUE};
            long p = dev.allocate(4L * v.length);
            dev.upload(v, p);
            float[] back = new float[v.length];
            dev.download(p, back);
            for (int i = 0; i < v.length; i++) assertEquals(v[i], Float.floatToRawIntBits(back[i]));
            dev.free(p);
        }
    }

    @Test
    void zeroAlignedAndUnaligned() {
        try (CudaDevice dev = open()) {
            float[] x = seq(16, 1f);
            x[0] = 3f;
            long p = dev.allocate(64);
            dev.upload(x, p);
            dev.zero(p + 8, 24); // floats 2..7, word-wise
            float[] back = new float[16];
            dev.download(p, back);
            for (int i = 0; i < 16; i++) assertEquals(i >= 2 && i < 8 ? 0f : x[i], back[i], "element " + i);
            dev.upload(x, p);
            dev.zero(p + 1, 2); // bytes 1, 2 of float 0 only
            dev.download(p, back);
            int bits = Float.floatToRawIntBits(x[0]);
            assertEquals(bits & 0xFF0000FF, Float.floatToRawIntBits(back[0]));
            assertEquals(x[1], back[1]);
            dev.free(p);
        }
    }

    @Test
    void deviceToDeviceCopy() {
        try (CudaDevice dev = open()) {
            float[] x = seq(10, 2f);
            long a = dev.allocate(40), b = dev.allocate(40);
            dev.upload(x, a);
            dev.zero(b, 40);
            dev.copy(a + 4, b, 16); // floats 1..4 to the front of b
            float[] back = new float[10];
            dev.download(b, back);
            for (int i = 0; i < 10; i++) assertEquals(i < 4 ? x[i + 1] : 0f, back[i], "element " + i);
            dev.free(a);
            dev.free(b);
        }
    }

    @Test
    void wrongArgumentTypeIsRejectedBeforeLaunch() {
        try (CudaDevice dev = open()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> dev.launch("vavl_layer_norm", 1, 1, 1, 32, 0, 1L, 2, 3.0)); // a Double
            assertTrue(e.getMessage().contains("vavl_layer_norm") && e.getMessage().contains("argument 2"), e.getMessage());
            var e2 = assertThrows(IllegalArgumentException.class,
                    () -> dev.launch("vavl_layer_norm", 1, 1, 1, 32, 0, 1L, null));
            assertTrue(e2.getMessage().contains("argument 1"), e2.getMessage());
            assertThrows(IllegalArgumentException.class, () -> dev.launch("vavl_layer_norm", 0, 1, 1, 32, 0));
            assertThrows(IllegalArgumentException.class, () -> dev.launch("vavl_layer_norm", 1, 1, 1, 0, 0));
            dev.synchronize(); // nothing was queued, nothing broke
        }
    }

    @Test
    void unknownKernelNamesIt() {
        try (CudaDevice dev = open()) {
            var e = assertThrows(CudaException.class, () -> dev.launch("vavl_no_such_kernel", 1, 1, 1, 32, 0));
            assertTrue(e.getMessage().contains("vavl_no_such_kernel"), e.getMessage());
            assertTrue(e.errorName().startsWith("CUDA_ERROR_"), e.errorName());
            assertFalse(e.errorName().equals("CUDA_SUCCESS"));
        }
    }

    @Test
    void oversizedBlockIsADriverError() {
        try (CudaDevice dev = open()) {
            var e = assertThrows(CudaException.class, () -> dev.launch("vavl_layer_norm", 1, 1, 1, 4096, 0,
                    0L, 0L, 0L, 1e-5f, 0L, 0L, 0L, 1, 1));
            assertTrue(e.call().contains("vavl_layer_norm"), e.call());
        }
    }

    /** Column-major cuBLAS semantics of sgemmStridedBatched, against a direct loop. */
    @Test
    void stridedBatchedGemm() {
        int m = 3, n = 4, k = 5, batch = 3;
        Random r = new Random(3);
        float[] a = new float[batch * m * k], b = new float[batch * k * n], c = new float[batch * m * n];
        for (float[] x : new float[][] {a, b, c}) for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float alpha = 0.5f, beta = -1f;
        float[] want = c.clone();
        for (int s = 0; s < batch; s++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    // A is op(A) = Aᵀ stored k×m column-major (lda k); B is n×k... keep it simple: N, N.
                    for (int p = 0; p < k; p++) acc += a[s * m * k + i + p * m] * b[s * k * n + p + j * k];
                    want[s * m * n + i + j * m] = (float) (alpha * acc + beta * c[s * m * n + i + j * m]);
                }
        try (CudaDevice dev = open()) {
            long pa = dev.allocate(4L * a.length), pb = dev.allocate(4L * b.length), pc = dev.allocate(4L * c.length);
            dev.upload(a, pa);
            dev.upload(b, pb);
            dev.upload(c, pc);
            dev.sgemmStridedBatched(false, false, m, n, k, alpha, pa, m, (long) m * k, pb, k, (long) k * n, beta, pc, m,
                    (long) m * n, batch);
            float[] got = new float[c.length];
            dev.download(pc, got);
            assertArrayEquals(want, got, 1e-4f);
        }
    }

    @Test
    void badGemmArgumentIsACublasError() {
        try (CudaDevice dev = open()) {
            long p = dev.allocate(64);
            var e = assertThrows(CudaException.class, () -> dev.sgemm(false, false, 4, 4, 4, 1f, p, 1, p, 4, 0f, p, 4));
            assertEquals("CUBLAS_STATUS_INVALID_VALUE", e.errorName());
            assertTrue(e.getMessage().startsWith("cublasSgemm_v2 failed: CUBLAS_STATUS_INVALID_VALUE (7)"), e.getMessage());
        }
    }

    @Test
    void timeMeasuresSomething() {
        try (CudaDevice dev = open()) {
            long p = dev.allocate(4096);
            float ms = dev.time(() -> dev.zero(p, 4096));
            assertTrue(ms >= 0f && Float.isFinite(ms), "ms " + ms);
        }
    }

    @Test
    void closeTwiceIsFineAndUseAfterCloseIsClear() {
        CudaDevice dev = open();
        long p = dev.allocate(16);
        dev.free(p);
        dev.close();
        assertDoesNotThrow(dev::close);
        var e = assertThrows(IllegalStateException.class, () -> dev.allocate(16));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> dev.upload(new float[4], 0L));
        assertThrows(IllegalStateException.class, () -> dev.launch("vavl_layer_norm", 1, 1, 1, 32, 0));
        assertThrows(IllegalStateException.class, dev::synchronize);
    }

    @Test
    void backendsOpenOneAfterAnother() {
        for (int i = 0; i < 3; i++) {
            try (CudaDevice dev = open()) {
                long p = dev.allocate(16);
                dev.upload(new float[] {1, 2, 3, 4}, p);
                float[] back = new float[4];
                dev.download(p, back);
                assertArrayEquals(new float[] {1, 2, 3, 4}, back);
                dev.free(p);
            }
        }
    }

    @Test
    void otherThreadsGetTheContext() throws Exception {
        try (CudaDevice dev = open()) {
            long p = dev.allocate(16);
            float[] back = new float[4];
            Thread t = new Thread(() -> {
                dev.upload(new float[] {5, 6, 7, 8}, p);
                dev.download(p, back);
            });
            t.start();
            t.join();
            assertArrayEquals(new float[] {5, 6, 7, 8}, back);
            dev.free(p);
        }
    }
}
