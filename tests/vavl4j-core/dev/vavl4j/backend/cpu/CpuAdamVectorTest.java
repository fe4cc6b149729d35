package dev.vavl4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vavl4j.backend.AdamHyper;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vector Adam loop gives the bits of the scalar torch.optim.Adam formula, lanes and tail alike. */
class CpuAdamVectorTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 37, 10_000})
    void vectorLoopEqualsTheScalarFormulaBitForBit(int n) {
        Random r = new Random(n);
        float[] theta = new float[n], grad = new float[n], m = new float[n], v = new float[n];
        for (int i = 0; i < n; i++) {
            theta[i] = (float) r.nextGaussian();
            grad[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 4));
            m[i] = (float) (r.nextGaussian() * 1e-2);
            v[i] = (float) Math.abs(r.nextGaussian() * 1e-4);
        }
        AdamHyper h = new AdamHyper(5e-5, 0.95, 0.999, 1e-8, 5e-7);
        int t = 3;
        float[] th2 = theta.clone(), m2 = m.clone(), v2 = v.clone();
        CpuAdam.update(theta, grad, m, v, t, h);
        double b1 = h.beta1(), b2 = h.beta2(), bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        for (int i = 0; i < n; i++) {
            double g = grad[i] + h.weightDecay() * th2[i];
            double mi = b1 * m2[i] + (1 - b1) * g;
            double vi = b2 * v2[i] + (1 - b2) * g * g;
            assertEquals((float) mi, m[i], 0f, "m[" + i + "]");
            assertEquals((float) vi, v[i], 0f, "v[" + i + "]");
            float want = (float) (th2[i] - h.lr() * (mi / bc1) / (Math.sqrt(vi / bc2) + h.eps()));
            assertEquals(want, theta[i], 0f, "theta[" + i + "]");
        }
    }
}
