package dev.vavl4j.parity;

import dev.vavl4j.io.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pass rules of shared/fixtures/README.md (the same as shared/oracle/compare.py):
 * outputs and losses: relative L2 error ≤ 1e-4; gradients: relative L2 ≤ 1e-3, or max |a| ≤ 1e-6 where
 * ‖e‖ &lt; 1e-6; {@code after.} parameters: |a − e| ≤ 1e-2·lr on elements whose expected gradients in every
 * step exceed 1e-6 in magnitude; {@code after.} running statistics: relative L2 ≤ 1e-4.
 */
public final class ParityCheck {
    private ParityCheck() {}

    /** Worst error per kind, and every failure. */
    public record Result(Map<String, Worst> worst, List<String> failures) {
        public boolean passed() {
            return failures.isEmpty();
        }
    }

    public record Worst(double error, String name) {}

    public static Result compare(Map<String, HostTensor> expected, Map<String, HostTensor> actual, double lr) {
        Map<String, Worst> worst = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (var entry : expected.entrySet()) {
            String name = entry.getKey();
            HostTensor e = entry.getValue(), a = actual.get(name);
            if (a == null) {
                failures.add(name + ": missing");
                continue;
            }
            if (!Arrays.equals(a.shape(), e.shape())) {
                failures.add(name + ": shape " + a.shapeString() + " != " + e.shapeString());
                continue;
            }
            float[] ev = e.asFloats(), av = a.asFloats();
            if (name.startsWith("after.") && !name.contains("running_")) {
                String p = name.substring("after.".length());
                boolean[] stable = new boolean[ev.length];
                Arrays.fill(stable, true);
                for (String step : new String[] {"visual", "audio", "fusion"}) {
                    HostTensor g = expected.get("step." + step + ".grad." + p);
                    if (g == null) continue;
                    float[] gv = g.asFloats();
                    for (int i = 0; i < gv.length; i++) stable[i] &= Math.abs(gv[i]) > 1e-6;
                }
                double err = 0;
                for (int i = 0; i < ev.length; i++) {
                    if (stable[i]) err = Math.max(err, Math.abs((double) av[i] - ev[i]) / lr);
                    if (stable[i] && Double.isNaN(av[i])) err = Double.NaN;
                }
                note(worst, failures, "update", name, err, 1e-2);
            } else if (name.contains(".grad.")) {
                if (norm(ev) < 1e-6) {
                    double m = 0;
                    for (float v : av) m = Double.isNaN(v) ? Double.NaN : Math.max(m, Math.abs(v));
                    note(worst, failures, "zero-grad", name, m, 1e-6);
                } else {
                    note(worst, failures, "grad", name, relative(av, ev), 1e-3);
                }
            } else {
                note(worst, failures, "value", name, relative(av, ev), 1e-4);
            }
        }
        return new Result(worst, failures);
    }

    private static void note(Map<String, Worst> worst, List<String> failures, String kind, String name, double err,
                             double limit) {
        Worst w = worst.get(kind);
        if (w == null || err > w.error || Double.isNaN(err)) worst.put(kind, new Worst(err, name));
        if (!(err <= limit)) failures.add(String.format("%s: %s error %.3g > %g", name, kind, err, limit));
    }

    static double relative(float[] a, float[] e) {
        double num = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - e[i];
            num += d * d;
        }
        return Math.sqrt(num) / Math.max(norm(e), 1e-30);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }
}
