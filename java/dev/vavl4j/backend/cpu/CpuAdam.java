package dev.vavl4j.backend.cpu;

import dev.vavl4j.backend.AdamHyper;

/** Adam with L2 weight decay folded into the gradient (torch.optim.Adam semantics). */
final class CpuAdam {
    private CpuAdam() {}

    static void update(float[] theta, float[] grad, float[] m, float[] v, int t, AdamHyper h) {
        double b1 = h.beta1(), b2 = h.beta2();
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        double lr = h.lr(), eps = h.eps(), wd = h.weightDecay();
        Parallel.forChunks(theta.length, 4096, 16, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                double g = grad[i] + wd * theta[i];
                double mi = b1 * m[i] + (1 - b1) * g;
                double vi = b2 * v[i] + (1 - b2) * g * g;
                m[i] = (float) mi;
                v[i] = (float) vi;
                theta[i] = (float) (theta[i] - lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps));
            }
        });
    }
}
