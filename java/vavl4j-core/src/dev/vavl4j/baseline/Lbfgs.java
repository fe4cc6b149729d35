package dev.vavl4j.baseline;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Limited-memory BFGS for smooth convex objectives: the two-loop recursion over the last {@link #HISTORY}
 * steps, a backtracking (Armijo) line search, and a stop when the largest gradient entry is at most
 * {@code gradientTolerance}. Deterministic: no randomness, and the same arithmetic in the same order.
 */
final class Lbfgs {
    static final int HISTORY = 10;
    private static final double ARMIJO = 1e-4;
    private static final int MAX_BACKTRACKS = 60;

    private Lbfgs() {}

    /** A smooth function: returns f(x) and writes ∇f(x) into {@code gradient}. */
    interface Objective {
        double valueAndGradient(double[] x, double[] gradient);
    }

    /**
     * The minimiser found: {@code converged} is false when {@code maxIterations} ran out, or when the line
     * search could no longer decrease f (the gradient is then as small as rounding allows).
     */
    record Result(double[] x, double value, double gradientMax, int iterations, boolean converged) {}

    static Result minimize(Objective f, double[] start, double gradientTolerance, int maxIterations) {
        int n = start.length;
        double[] x = start.clone(), g = new double[n];
        double fx = f.valueAndGradient(x, g);
        requireFinite(fx, 0);
        Deque<double[][]> history = new ArrayDeque<>();   // {s, y, {1 / sᵀy}}, newest first
        double[] xNext = new double[n], gNext = new double[n];
        for (int iter = 0; ; iter++) {
            double gMax = maxAbs(g);
            if (gMax <= gradientTolerance) return new Result(x, fx, gMax, iter, true);
            if (iter == maxIterations) return new Result(x, fx, gMax, iter, false);

            double[] dir = direction(g, history);
            double slope = Linear.dot(dir, 0, g, 0, n);
            if (!(slope < 0)) {   // rounding made the quasi-Newton direction useless: restart from steepest descent
                history.clear();
                dir = direction(g, history);
                slope = Linear.dot(dir, 0, g, 0, n);
            }
            // Without curvature information the scale of -g is unknown: a first step of length at most 1.
            double step = history.isEmpty() ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
            double fNext = Double.NaN;
            boolean accepted = false;
            for (int b = 0; b < MAX_BACKTRACKS; b++, step *= 0.5) {
                for (int k = 0; k < n; k++) xNext[k] = x[k] + step * dir[k];
                fNext = f.valueAndGradient(xNext, gNext);
                if (fNext <= fx + ARMIJO * step * slope) {
                    accepted = true;
                    break;
                }
            }
            if (!accepted) return new Result(x, fx, gMax, iter, false);
            requireFinite(fNext, iter + 1);

            double[] s = new double[n], y = new double[n];
            for (int k = 0; k < n; k++) {
                s[k] = xNext[k] - x[k];
                y[k] = gNext[k] - g[k];
            }
            double sy = Linear.dot(s, 0, y, 0, n);
            // A convex f gives sᵀy ≥ 0; keep a pair only when it carries curvature, so the update stays positive definite.
            if (sy > 1e-12 * Math.sqrt(Linear.dot(y, 0, y, 0, n) * Linear.dot(s, 0, s, 0, n))) {
                history.addFirst(new double[][] {s, y, {1 / sy}});
                if (history.size() > HISTORY) history.removeLast();
            }
            double[] t = x;
            x = xNext;
            xNext = t;
            t = g;
            g = gNext;
            gNext = t;
            fx = fNext;
        }
    }

    /** −H·g by the two-loop recursion, with H₀ = (sᵀy / yᵀy)·I from the newest pair. */
    private static double[] direction(double[] g, Deque<double[][]> history) {
        int n = g.length;
        double[] q = g.clone();
        double[] alpha = new double[history.size()];
        int i = 0;
        for (double[][] p : history) {
            alpha[i] = p[2][0] * Linear.dot(p[0], 0, q, 0, n);
            Linear.axpy(-alpha[i], p[1], 0, q, 0, n);
            i++;
        }
        if (!history.isEmpty()) {
            double[][] newest = history.getFirst();
            double gamma = 1 / (newest[2][0] * Linear.dot(newest[1], 0, newest[1], 0, n));
            for (int k = 0; k < n; k++) q[k] *= gamma;
        }
        i = history.size() - 1;
        for (Iterator<double[][]> it = history.descendingIterator(); it.hasNext(); i--) {
            double[][] p = it.next();
            double beta = p[2][0] * Linear.dot(p[1], 0, q, 0, n);
            Linear.axpy(alpha[i] - beta, p[0], 0, q, 0, n);
        }
        for (int k = 0; k < n; k++) q[k] = -q[k];
        return q;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    private static void requireFinite(double v, int iteration) {
        // Standardised inputs and a log-sum-exp loss keep f finite; a NaN here is a bug, not bad data.
        if (!Double.isFinite(v)) throw new IllegalStateException("objective is " + v + " at iteration " + iteration);
    }
}
