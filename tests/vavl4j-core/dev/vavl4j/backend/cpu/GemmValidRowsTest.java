package dev.vavl4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * gemmValidRows against the full product: valid rows equal it, padded rows are 0 (beta 0) or untouched
 * (beta 1, with A zero on padded frames as the contract requires). Runs the CPU fast path (OpenBLAS, one product per sample) when the library is present and the
 * interface default otherwise, so both are held to the same contract.
 */
class GemmValidRowsTest {
    private final Backend be = new CpuBackend();

    private static float[] randn(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    @ParameterizedTest(name = "transB={0} beta={1} lengths={2} bias={3}")
    @CsvSource({"true, 0, 5 1 3, false", "true, 1, 5 1 3, false", "false, 0, 2 5 5, false", "false, 1, 1 4 2, false",
        "true, 0, 5 5 5, false", "true, 0, 5 1 3, true", "false, 0, 1 4 2, true"})
    void validRowsMatchTheFullProductAndPaddedRowsFollowBeta(boolean transB, float beta, String lengthList, boolean withBias) {
        int[] lengths = java.util.Arrays.stream(lengthList.split(" ")).mapToInt(Integer::parseInt).toArray();
        int B = lengths.length, T = 5, k = 37, n = 300;
        Random r = new Random(B * 31L + (transB ? 1 : 0) + (long) beta);
        SeqMask mask = be.mask(lengths, T);
        Tensor a = be.fromHost(randn(r, B * T * k), B, T, k);
        // accumulation (beta 1) is specified for an A that is 0 on padded frames, as every input gradient is
        if (beta == 1f) be.zeroPadded(a, mask);
        Tensor w = transB ? be.fromHost(randn(r, n * k), n, k) : be.fromHost(randn(r, k * n), k, n);
        float[] c0 = randn(r, B * T * n);
        Tensor c = be.fromHost(c0.clone(), B, T, n), full = be.fromHost(c0.clone(), B, T, n);
        Tensor bias = withBias ? be.fromHost(randn(r, n), n) : null;
        be.gemmValidRows(a, w, transB, bias, c, beta, mask);
        be.gemm(a, false, w, transB, full, 1f, beta);
        if (withBias) be.addBias(full, bias);
        float[] got = be.toHost(c), want = be.toHost(full);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < n; j++) {
                    int i = (b * T + t) * n + j;
                    float expect = t < lengths[b] ? want[i] : beta == 0f ? 0f : c0[i];
                    assertEquals(expect, got[i], 1e-4f * (1 + Math.abs(expect)), "sample " + b + " frame " + t + " col " + j);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"0.5", "2"})
    void otherBetasAreRefused(float beta) {
        SeqMask mask = be.mask(new int[] {2, 1}, 2);
        Tensor a = be.zeros(2, 2, 3), w = be.zeros(4, 3), c = be.zeros(2, 2, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.gemmValidRows(a, w, true, null, c, beta, mask));
        assertEquals(true, e.getMessage().contains("beta"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"3", "1"})
    void aMaskOfAnotherSizeIsRefused(int T) {
        SeqMask mask = be.mask(new int[] {1, 1}, T);
        Tensor a = be.zeros(2, 2, 3), w = be.zeros(4, 3), c = be.zeros(2, 2, 4);
        assertThrows(IllegalArgumentException.class, () -> be.gemmValidRows(a, w, true, null, c, 0f, mask));
    }

    @ParameterizedTest
    @CsvSource({"1"})
    void aBiasWithAccumulationIsRefused(float beta) {
        SeqMask mask = be.mask(new int[] {2, 1}, 2);
        Tensor a = be.zeros(2, 2, 3), w = be.zeros(4, 3), c = be.zeros(2, 2, 4), bias = be.zeros(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> be.gemmValidRows(a, w, true, bias, c, beta, mask));
        assertEquals(true, e.getMessage().contains("bias"), e.getMessage());
    }
}
