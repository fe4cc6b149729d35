package dev.vavl4j.backend.cpu;

/**
 * Task and reconstruction losses on small [N, C] matrices, computed in double.
 *
 * <p>Twin: {@code CudaLosses}, also in double with sums in another fixed order; parity tolerance 1e-7·max(1,
 * |loss|) for the loss, 1e-3 relative for the gradient, see docs/gpu.md, "Where the twins may differ".
 */
final class CpuLosses {
    private CpuLosses() {}

    static double crossEntropyArgmax(float[] logits, float[] targets, float scale, float[] d, int n, int C) {
        double loss = 0;
        for (int r = 0; r < n; r++) {
            int o = r * C;
            int target = 0;
            for (int c = 1; c < C; c++) if (targets[o + c] > targets[o + target]) target = c;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < C; c++) max = Math.max(max, logits[o + c]);
            double sum = 0;
            for (int c = 0; c < C; c++) sum += Math.exp(logits[o + c] - max);
            double lse = max + Math.log(sum);
            loss += lse - logits[o + target];
            for (int c = 0; c < C; c++) {
                double prob = Math.exp(logits[o + c] - lse);
                d[o + c] = (float) (scale * (prob - (c == target ? 1 : 0)) / n);
            }
        }
        return loss / n;
    }

    /**
     * Class-weighted cross-entropy (Backend#crossEntropyArgmax with weights): with y_r the first argmax of
     * targets[r, :] and W = Σ_r weights[y_r] (in row order), loss = Σ_r weights[y_r]·(lse_r − logits[r, y_r]) / W
     * and d[r, c] = scale·weights[y_r]·(softmax − onehot)/W. With weights all 1 every step is the
     * unweighted one's (1·x = x, W = n exactly), so the two give the same bits.
     */
    static double crossEntropyArgmaxWeighted(float[] logits, float[] targets, float[] weights, float scale, float[] d,
                                             int n, int C) {
        int[] target = new int[n];
        double wsum = 0;
        for (int r = 0; r < n; r++) {
            int o = r * C, t = 0;
            for (int c = 1; c < C; c++) if (targets[o + c] > targets[o + t]) t = c;
            target[r] = t;
            wsum += weights[t];
        }
        double loss = 0;
        for (int r = 0; r < n; r++) {
            int o = r * C;
            double w = weights[target[r]];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < C; c++) max = Math.max(max, logits[o + c]);
            double sum = 0;
            for (int c = 0; c < C; c++) sum += Math.exp(logits[o + c] - max);
            double lse = max + Math.log(sum);
            loss += w * (lse - logits[o + target[r]]);
            for (int c = 0; c < C; c++) {
                double prob = Math.exp(logits[o + c] - lse);
                d[o + c] = (float) (scale * w * (prob - (c == target[r] ? 1 : 0)) / wsum);
            }
        }
        return loss / wsum;
    }

    /** Elements per partial sum of {@link #sumOfSquares}: fixed, so the result does not depend on the thread count. */
    static final int SUM_CHUNK = 1 << 16;

    /** Σ x[i]² in double: partial sums of SUM_CHUNK consecutive elements (in parallel), added in chunk order. */
    static double sumOfSquares(float[] x, int count) {
        int chunks = (count + SUM_CHUNK - 1) / SUM_CHUNK;
        double[] part = new double[chunks];
        Parallel.forEach(chunks, SUM_CHUNK, k -> {
            int from = k * SUM_CHUNK, to = Math.min(count, from + SUM_CHUNK);
            double s = 0;
            for (int i = from; i < to; i++) {
                double v = x[i];
                s += v * v;
            }
            part[k] = s;
        });
        double total = 0;
        for (double p : part) total += p;
        return total;
    }

    static double ccc(float[] pred, float[] y, float scale, float[] d, int n, int C) {
        double loss = 0;
        for (int c = 0; c < C; c++) {
            double mp = 0, my = 0;
            for (int r = 0; r < n; r++) {
                mp += pred[r * C + c];
                my += y[r * C + c];
            }
            mp /= n;
            my /= n;
            double vp = 0, vy = 0, cov = 0;
            for (int r = 0; r < n; r++) {
                double a = pred[r * C + c] - mp, b = y[r * C + c] - my;
                vp += a * a;
                vy += b * b;
                cov += a * b;
            }
            vp /= n;
            vy /= n;
            cov /= n;
            double denom = vp + vy + (mp - my) * (mp - my);
            if (denom == 0) { // spec §9: constant predictions and labels count as CCC 0, no NaN
                loss += 1;
                for (int r = 0; r < n; r++) d[r * C + c] = 0f;
                continue;
            }
            double ccc = 2 * cov / denom;
            loss += 1 - ccc;
            for (int r = 0; r < n; r++) {
                double dCov = (y[r * C + c] - my) / n;
                double dDen = 2 * (pred[r * C + c] - mp) / n + 2 * (mp - my) / n;
                double dCcc = (2 * dCov * denom - 2 * cov * dDen) / (denom * denom);
                d[r * C + c] = (float) (-scale * dCcc);
            }
        }
        return loss;
    }

    static double mse(float[] pred, float[] target, float scale, float[] d, int count) {
        double s = 0;
        for (int i = 0; i < count; i++) {
            double e = (double) pred[i] - target[i];
            s += e * e;
            d[i] = (float) (scale * 2 * e / count);
        }
        return s / count;
    }
}
