package dev.vavl4j.backend.cpu;

/** Task and reconstruction losses on small [N, C] matrices, computed in double. */
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
