package dev.vavl4j.backend.cpu;

/**
 * LayerNorm and masked BatchNorm (+ swish), statistics accumulated in double. Row sums of a layer norm run
 * in vector lanes ({@link CpuNormVectors}): still double, only the order of the additions differs.
 *
 * <p>Twin of {@code CudaNormOps}, which sums a layer-norm row in float (warp sums) where this class uses double;
 * parity tolerance 1e-4 relative for outputs and statistics, 1e-3 for gradients, see docs/gpu.md, "Where the
 * twins may differ".
 */
final class CpuNormOps {
    private CpuNormOps() {}

    static void layerNorm(float[] x, float[] w, float[] b, float eps, float[] y, float[] mean, float[] rstd,
                          int rows, int cols) {
        Parallel.forChunks(rows, 8, cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * cols;
                double mu = CpuNormVectors.sum(x, o, cols) / cols;
                double v = CpuNormVectors.sumSquaredDeviation(x, o, cols, mu);
                double rs = 1.0 / Math.sqrt(v / cols + eps);
                mean[r] = (float) mu;
                rstd[r] = (float) rs;
                CpuNormVectors.normalizeRow(x, o, cols, mu, rs, w, b, y);
            }
        });
    }

    static void layerNormBackward(float[] dy, float[] x, float[] w, float[] mean, float[] rstd, float[] dx,
                                  float[] dw, float[] db, int rows, int cols) {
        Parallel.forChunks(rows, 8, cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * cols;
                double mu = mean[r], rs = rstd[r];
                double[] sums = CpuNormVectors.gradSums(dy, x, o, cols, w, mu, rs);
                double mG = sums[0] / cols, mGX = sums[1] / cols;
                CpuNormVectors.addInputGrad(dy, x, o, cols, w, mu, rs, mG, mGX, dx);
            }
        });
        Parallel.forChunks(cols, 16, rows, (c0, c1) -> {
            double[] sw = new double[c1 - c0], sb = new double[c1 - c0];
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                double mu = mean[r], rs = rstd[r];
                for (int c = c0; c < c1; c++) {
                    sw[c - c0] += (double) dy[o + c] * (x[o + c] - mu) * rs;
                    sb[c - c0] += dy[o + c];
                }
            }
            for (int c = c0; c < c1; c++) {
                dw[c] += (float) sw[c - c0];
                db[c] += (float) sb[c - c0];
            }
        });
    }

    static void maskedBatchStats(float[] x, CpuMask mask, float[] mean, float[] var, int cols) {
        int T = mask.time();
        int n = mask.validFrames();
        Parallel.forChunks(cols, 16, n, (c0, c1) -> {
            double[] s = new double[c1 - c0];
            forValidRows(mask, T, row -> {
                int o = row * cols;
                for (int c = c0; c < c1; c++) s[c - c0] += x[o + c];
            });
            for (int c = c0; c < c1; c++) s[c - c0] /= n;
            double[] v = new double[c1 - c0];
            forValidRows(mask, T, row -> {
                int o = row * cols;
                for (int c = c0; c < c1; c++) {
                    double d = x[o + c] - s[c - c0];
                    v[c - c0] += d * d;
                }
            });
            for (int c = c0; c < c1; c++) {
                mean[c] = (float) s[c - c0];
                var[c] = (float) (v[c - c0] / n);
            }
        });
    }

    static void batchNormSwish(float[] x, float[] mean, float[] var, float[] w, float[] b, float eps,
                               float[] bn, float[] out, int rows, int cols) {
        float[] rs = new float[cols];
        for (int c = 0; c < cols; c++) rs[c] = (float) (1.0 / Math.sqrt((double) var[c] + eps));
        Parallel.forChunks(rows, 8, cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * cols, c = 0;
                for (; c + CpuVectorActivations.N <= cols; c += CpuVectorActivations.N) {
                    CpuVectorActivations.batchNormSwish(x, o + c, mean, rs, w, b, c, bn, out);
                }
                for (; c < cols; c++) {
                    float v = (x[o + c] - mean[c]) * rs[c] * w[c] + b[c];
                    bn[o + c] = v;
                    out[o + c] = CpuActivations.swish(v);
                }
            }
        });
    }

    static void batchNormSwishBackward(float[] dOut, float[] x, float[] bn, float[] mean, float[] var,
                                       float[] w, float eps, CpuMask mask, float[] dx, float[] dw,
                                       float[] db, int rows, int cols) {
        int T = mask.time();
        int n = mask.validFrames();
        java.util.Arrays.fill(dx, 0, rows * cols, 0f);
        Parallel.forChunks(cols, 16, n, (c0, c1) -> {
            int w0 = c1 - c0;
            double[] rs = new double[w0];
            for (int c = c0; c < c1; c++) rs[c - c0] = 1.0 / Math.sqrt((double) var[c] + eps);
            double[] sumG = new double[w0], sumGX = new double[w0];
            // columns are lanes: each lane sums its own column in row order, as the scalar loop does
            int cv = c0 + (w0 / CpuVectorActivations.N) * CpuVectorActivations.N;
            forValidRows(mask, T, row -> {
                int o = row * cols;
                for (int c = c0; c < cv; c += CpuVectorActivations.N) {
                    CpuVectorActivations.batchNormSwishGradSums(dOut, bn, x, o + c, mean, c, rs, sumG, sumGX, c - c0);
                }
                for (int c = cv; c < c1; c++) {
                    double g = dOut[o + c] * CpuActivations.swishGrad(bn[o + c]);
                    sumG[c - c0] += g;
                    sumGX[c - c0] += g * (x[o + c] - mean[c]) * rs[c - c0];
                }
            });
            forValidRows(mask, T, row -> {
                int o = row * cols;
                for (int c = c0; c < cv; c += CpuVectorActivations.N) {
                    CpuVectorActivations.batchNormSwishDx(dOut, bn, x, o + c, mean, w, c, rs, sumG, sumGX, c - c0, n, dx);
                }
                for (int c = cv; c < c1; c++) {
                    int k = c - c0;
                    double g = dOut[o + c] * CpuActivations.swishGrad(bn[o + c]);
                    double xh = (x[o + c] - mean[c]) * rs[k];
                    dx[o + c] = (float) (w[c] * rs[k] * (g - sumG[k] / n - xh * sumGX[k] / n));
                }
            });
            for (int c = c0; c < c1; c++) {
                dw[c] += (float) sumGX[c - c0];
                db[c] += (float) sumG[c - c0];
            }
        });
    }

    static void updateRunningStats(float[] rm, float[] rv, float[] mean, float[] var, float mom, int n) {
        double unbias = (double) n / (n - 1);
        for (int c = 0; c < rm.length; c++) {
            rm[c] = (float) ((1.0 - mom) * rm[c] + (double) mom * mean[c]);
            rv[c] = (float) ((1.0 - mom) * rv[c] + (double) mom * var[c] * unbias);
        }
    }

    /** Calls body(row) for every valid (b, t) in row order, row = b·T + t. */
    static void forValidRows(CpuMask mask, int T, java.util.function.IntConsumer body) {
        for (int b = 0; b < mask.batch(); b++) {
            int L = mask.length(b);
            for (int t = 0; t < L; t++) body.accept(b * T + t);
        }
    }
}
