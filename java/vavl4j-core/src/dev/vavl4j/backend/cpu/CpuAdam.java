package dev.vavl4j.backend.cpu;

import dev.vavl4j.backend.AdamHyper;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adam with L2 weight decay folded into the gradient (torch.optim.Adam semantics), in double per element.
 * The vector loop does the same IEEE operations in the same order as the scalar tail (add, multiply,
 * divide and square root are correctly rounded in every lane), so both give the same bits.
 *
 * <p>Twin of {@code CudaAdam}: both in double per element; parity tolerance 1e-5 relative for value, m and v,
 * see docs/gpu.md, "Where the twins may differ".
 */
final class CpuAdam {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int N = D.length();
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(32 * N));

    private CpuAdam() {}

    static void update(float[] theta, float[] grad, float[] m, float[] v, int t, AdamHyper h) {
        double b1 = h.beta1(), b2 = h.beta2();
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        double lr = h.lr(), eps = h.eps(), wd = h.weightDecay();
        Parallel.forChunks(theta.length, 4096, 16, (i0, i1) -> {
            int i = i0;
            for (; i + N <= i1; i += N) {
                DoubleVector th = widen(theta, i);
                DoubleVector g = widen(grad, i).add(th.mul(wd));
                DoubleVector mi = widen(m, i).mul(b1).add(g.mul(1 - b1));
                DoubleVector vi = widen(v, i).mul(b2).add(g.mul(1 - b2).mul(g));
                narrow(mi).intoArray(m, i);
                narrow(vi).intoArray(v, i);
                DoubleVector step = mi.div(bc1).mul(lr).div(vi.div(bc2).sqrt().add(eps));
                narrow(th.sub(step)).intoArray(theta, i);
            }
            for (; i < i1; i++) {
                double g = grad[i] + wd * theta[i];
                double mi = b1 * m[i] + (1 - b1) * g;
                double vi = b2 * v[i] + (1 - b2) * g * g;
                m[i] = (float) mi;
                v[i] = (float) vi;
                theta[i] = (float) (theta[i] - lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps));
            }
        });
    }

    private static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(F, a, i).convertShape(VectorOperators.F2D, D, 0);
    }

    private static FloatVector narrow(DoubleVector d) {
        return (FloatVector) d.convertShape(VectorOperators.D2F, F, 0);
    }
}
