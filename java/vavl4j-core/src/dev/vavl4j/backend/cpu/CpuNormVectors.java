package dev.vavl4j.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-row loops of layer norm in double vector lanes. Sums are taken lane-wise and then across lanes
 * (a different order of double additions than one running sum); every elementwise result is the same
 * IEEE arithmetic as the scalar expression beside it.
 */
final class CpuNormVectors {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int N = D.length();
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(32 * N));

    private CpuNormVectors() {}

    private static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(F, a, i).convertShape(VectorOperators.F2D, D, 0);
    }

    /** Σ x[o .. o+n) in double. */
    static double sum(float[] x, int o, int n) {
        DoubleVector acc = DoubleVector.zero(D);
        int c = 0;
        for (; c + N <= n; c += N) acc = acc.add(widen(x, o + c));
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; c < n; c++) s += x[o + c];
        return s;
    }

    /** Σ (x − mu)² over x[o .. o+n), in double. */
    static double sumSquaredDeviation(float[] x, int o, int n, double mu) {
        DoubleVector acc = DoubleVector.zero(D);
        int c = 0;
        for (; c + N <= n; c += N) {
            DoubleVector d = widen(x, o + c).sub(mu);
            acc = acc.add(d.mul(d));
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; c < n; c++) {
            double d = x[o + c] - mu;
            s += d * d;
        }
        return s;
    }

    /** y = (float) ((x − mu)·rs·w + b) for one row. */
    static void normalizeRow(float[] x, int o, int n, double mu, double rs, float[] w, float[] b, float[] y) {
        int c = 0;
        for (; c + N <= n; c += N) {
            DoubleVector v = widen(x, o + c).sub(mu).mul(rs).mul(widen(w, c)).add(widen(b, c));
            ((FloatVector) v.convertShape(VectorOperators.D2F, F, 0)).intoArray(y, o + c);
        }
        for (; c < n; c++) y[o + c] = (float) ((x[o + c] - mu) * rs * w[c] + b[c]);
    }

    /** {Σ g, Σ g·(x − mu)·rs} with g = dy·w, for one row. */
    static double[] gradSums(float[] dy, float[] x, int o, int n, float[] w, double mu, double rs) {
        DoubleVector sg = DoubleVector.zero(D), sgx = DoubleVector.zero(D);
        int c = 0;
        for (; c + N <= n; c += N) {
            DoubleVector g = widen(dy, o + c).mul(widen(w, c));
            sg = sg.add(g);
            sgx = sgx.add(g.mul(widen(x, o + c).sub(mu)).mul(rs));
        }
        double sumG = sg.reduceLanes(VectorOperators.ADD), sumGX = sgx.reduceLanes(VectorOperators.ADD);
        for (; c < n; c++) {
            double g = (double) dy[o + c] * w[c];
            sumG += g;
            sumGX += g * (x[o + c] - mu) * rs;
        }
        return new double[] {sumG, sumGX};
    }

    /** dx += (float) (rs·(g − mG − x̂·mGX)) with x̂ = (x − mu)·rs and g = dy·w, for one row. */
    static void addInputGrad(float[] dy, float[] x, int o, int n, float[] w, double mu, double rs, double mG, double mGX,
                             float[] dx) {
        int c = 0;
        for (; c + N <= n; c += N) {
            DoubleVector xh = widen(x, o + c).sub(mu).mul(rs);
            DoubleVector g = widen(dy, o + c).mul(widen(w, c));
            DoubleVector d = g.sub(mG).sub(xh.mul(mGX)).mul(rs);
            FloatVector add = (FloatVector) d.convertShape(VectorOperators.D2F, F, 0);
            FloatVector.fromArray(F, dx, o + c).add(add).intoArray(dx, o + c);
        }
        for (; c < n; c++) {
            double xh = (x[o + c] - mu) * rs;
            double g = (double) dy[o + c] * w[c];
            dx[o + c] += (float) (rs * (g - mG - xh * mGX));
        }
    }
}
