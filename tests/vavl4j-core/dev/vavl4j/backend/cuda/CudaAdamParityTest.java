package dev.vavl4j.backend.cuda;

import static dev.vavl4j.backend.cuda.CudaNormParityTest.assertClose;
import static dev.vavl4j.backend.cuda.CudaNormParityTest.randn;

import dev.vavl4j.backend.AdamHyper;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The multi-tensor Adam launch against the CPU reference: several parameters of different sizes (one
 * element, odd sizes, exactly one chunk, several chunks), different step counts per parameter, with
 * and without weight decay, three consecutive updates with fresh gradients.
 */
class CudaAdamParityTest {
    private static final int[] SIZES = {1, 37, CudaAdam.CHUNK, 2 * CudaAdam.CHUNK + 19, 19 * 3, 5000};
    private static final int[] FIRST_STEPS = {1, 5, 100, 2, 1, 3};

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.01})
    void threeUpdatesMatchCpu(double weightDecay) {
        AdamHyper hyper = new AdamHyper(1e-3, 0.9, 0.98, 1e-8, weightDecay);
        Random r = new Random(weightDecay == 0 ? 1 : 2);
        int n = SIZES.length;
        float[][] theta = new float[n][], m = new float[n][], v = new float[n][];
        for (int i = 0; i < n; i++) {
            theta[i] = randn(r, SIZES[i], 1f, 0f);
            // Moments as after a few updates (v positive); the first parameter starts fresh.
            m[i] = i == 0 ? new float[SIZES[i]] : randn(r, SIZES[i], 0.01f, 0f);
            v[i] = new float[SIZES[i]];
            if (i != 0) for (int j = 0; j < SIZES[i]; j++) v[i][j] = (float) (1e-4 * r.nextDouble());
        }
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Backend[] bes = {cpu, gpu};
            List<List<Tensor>> params = new ArrayList<>(), grads = new ArrayList<>(), ms = new ArrayList<>(),
                    vs = new ArrayList<>();
            for (Backend be : bes) {
                List<Tensor> p = new ArrayList<>(), g = new ArrayList<>(), mm = new ArrayList<>(), vv = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    p.add(be.fromHost(theta[i], SIZES[i]));
                    g.add(be.zeros(SIZES[i]));
                    mm.add(be.fromHost(m[i], SIZES[i]));
                    vv.add(be.fromHost(v[i], SIZES[i]));
                }
                params.add(p);
                grads.add(g);
                ms.add(mm);
                vs.add(vv);
            }
            int[] steps = FIRST_STEPS.clone();
            for (int step = 0; step < 3; step++) {
                for (int i = 0; i < n; i++) {
                    float[] g = randn(r, SIZES[i], 0.1f * (i + 1), 0f);
                    for (int k = 0; k < 2; k++) bes[k].copyFromHost(g, grads.get(k).get(i));
                }
                for (int k = 0; k < 2; k++) {
                    bes[k].adam(params.get(k), grads.get(k), ms.get(k), vs.get(k), steps, hyper);
                }
                for (int i = 0; i < n; i++) {
                    String at = "step " + step + ", parameter " + i + ": ";
                    assertClose(at + "value", cpu.toHost(params.get(0).get(i)), gpu.toHost(params.get(1).get(i)), 1e-5);
                    assertClose(at + "m", cpu.toHost(ms.get(0).get(i)), gpu.toHost(ms.get(1).get(i)), 1e-5);
                    assertClose(at + "v", cpu.toHost(vs.get(0).get(i)), gpu.toHost(vs.get(1).get(i)), 1e-5);
                    // The update moved the parameter (so equal outputs are not two no-ops).
                    float[] now = gpu.toHost(params.get(1).get(i));
                    boolean moved = false;
                    for (int j = 0; j < now.length && !moved; j++) moved = now[j] != theta[i][j];
                    org.junit.jupiter.api.Assertions.assertTrue(moved, at + "did not move");
                }
                for (int i = 0; i < n; i++) steps[i]++;
            }
        }
    }
}
