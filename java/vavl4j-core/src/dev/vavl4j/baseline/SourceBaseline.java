package dev.vavl4j.baseline;

import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.metrics.ClassificationMetrics;
import dev.vavl4j.metrics.ModalityReport;
import dev.vavl4j.metrics.RegressionMetrics;
import dev.vavl4j.model.VavlConfig.Task;
import dev.vavl4j.predict.Source;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The baseline of one source: pooled features of the utterances it covers, standardised with the Train
 * rows' statistics, one model per λ of the grid fitted on Train, the λ chosen on Development
 * ({@link LambdaSelection}), and that model's metrics on the evaluation split.
 */
final class SourceBaseline {
    private SourceBaseline() {}

    /** The source's entry of the evaluation report, how its λ was chosen, and fits that stopped short of convergence. */
    record Outcome(ModalityReport report, SourceChoice choice, List<String> warnings) {}

    /**
     * A logistic fit whose largest gradient entry is still above this when it stops (iteration limit, or a
     * line search that rounding defeats) is reported: its metrics may differ from the true minimiser's.
     */
    static final double WARN_GRADIENT = 1e-5;

    /** The three splits' utterances (all of them; the source picks the ones it covers) and the corpus' dims. */
    record Splits(List<Utterance> train, List<Utterance> dev, List<Utterance> eval, int audioDim, int visualDim) {}

    static Outcome run(Source source, LabelCodec codec, List<Double> grid, Splits splits) {
        PooledFeatures.Rows train = PooledFeatures.of(source, splits.train(), splits.audioDim(), splits.visualDim());
        PooledFeatures.Rows dev = PooledFeatures.of(source, splits.dev(), splits.audioDim(), splits.visualDim());
        int trainN = train.x().rows(), devN = dev.x().rows();
        if (trainN == 0 || devN == 0) {
            return new Outcome(new ModalityReport(source.key, 0, null, null), SourceChoice.notFitted(source.key, trainN, devN), List.of());
        }
        PooledFeatures.Rows eval = PooledFeatures.of(source, splits.eval(), splits.audioDim(), splits.visualDim());
        Standardizer z = Standardizer.fit(train.x());
        z.applyInPlace(train.x());
        z.applyInPlace(dev.x());
        z.applyInPlace(eval.x());
        return codec.task() == Task.CLASSIFICATION
                ? classify(source, codec, grid, train, dev, eval)
                : regress(source, codec, grid, train, dev, eval);
    }

    private static Outcome classify(Source source, LabelCodec codec, List<Double> grid, PooledFeatures.Rows train,
                                    PooledFeatures.Rows dev, PooledFeatures.Rows eval) {
        int classes = codec.outputs();
        int[] yTrain = classes(train.utterances()), yDev = classes(dev.utterances());
        // Largest λ first, each fit warm-started from the previous one: the path to weaker regularisation is
        // short. The objective is strictly convex, so the start changes only the number of iterations.
        List<Double> order = new ArrayList<>(grid);
        order.sort(Comparator.reverseOrder());
        List<LambdaSelection.Candidate> candidates = new ArrayList<>();
        List<SoftmaxRegression.Model> models = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        double[] start = null;
        for (double lambda : order) {
            SoftmaxRegression.Model m = SoftmaxRegression.fit(train.x(), yTrain, classes, lambda, start);
            start = m.packed();
            if (!m.fit().converged() && m.fit().gradientMax() > WARN_GRADIENT) {
                warnings.add(source.key + ": logistic regression with lambda " + lambda + " stopped after " + m.fit().iterations()
                        + " iterations, largest gradient entry " + m.fit().gradientMax() + " (not converged)");
            }
            double accuracy = ClassificationMetrics.of(yDev, m.predict(dev.x()), classes).accuracy();
            candidates.add(new LambdaSelection.Candidate(lambda, accuracy, m.crossEntropy(dev.x(), yDev)));
            models.add(m);
        }
        LambdaSelection.Candidate best = LambdaSelection.choose(candidates);
        SoftmaxRegression.Model model = models.get(candidates.indexOf(best));
        int n = eval.x().rows();
        ModalityReport report = n == 0 ? new ModalityReport(source.key, 0, null, null)
                : new ModalityReport(source.key, n, ClassificationMetrics.of(classes(eval.utterances()), model.predict(eval.x()), classes), null);
        return new Outcome(report, choice(source, train, dev, best), warnings);
    }

    private static Outcome regress(Source source, LabelCodec codec, List<Double> grid, PooledFeatures.Rows train,
                                   PooledFeatures.Rows dev, PooledFeatures.Rows eval) {
        int outputs = codec.outputs();
        // Fitted on the min/max-scaled targets as VAVL is; ridge with a free bias is equivariant under that
        // affine map, so this changes only the units of the development loss (comparable across attributes).
        RidgeRegression.Problem problem = new RidgeRegression.Problem(train.x(), scaled(codec, train.utterances()), outputs);
        double[] devScaled = scaled(codec, dev.utterances()), devRaw = raw(dev.utterances());
        List<LambdaSelection.Candidate> candidates = new ArrayList<>();
        List<RidgeRegression.Model> models = new ArrayList<>();
        for (double lambda : grid) {
            RidgeRegression.Model m = problem.fit(lambda);
            double[] p = m.predict(dev.x());
            double ccc = RegressionMetrics.of(unscaled(codec, p), devRaw, dev.x().rows(), outputs).cccMean();
            candidates.add(new LambdaSelection.Candidate(lambda, ccc, meanSquaredError(p, devScaled)));
            models.add(m);
        }
        LambdaSelection.Candidate best = LambdaSelection.choose(candidates);
        RidgeRegression.Model model = models.get(candidates.indexOf(best));
        int n = eval.x().rows();
        // Metrics on the manifest's scale, as dev.vavl4j.predict.Evaluation reports VAVL's.
        ModalityReport report = n == 0 ? new ModalityReport(source.key, 0, null, null)
                : new ModalityReport(source.key, n, null,
                        RegressionMetrics.of(unscaled(codec, model.predict(eval.x())), raw(eval.utterances()), n, outputs));
        return new Outcome(report, choice(source, train, dev, best), List.of());
    }

    private static SourceChoice choice(Source source, PooledFeatures.Rows train, PooledFeatures.Rows dev, LambdaSelection.Candidate best) {
        return new SourceChoice(source.key, train.x().rows(), dev.x().rows(), best.lambda(), best.score(), best.loss());
    }

    /** The target class of each utterance: the first argmax of its scores, as VAVL's loss and evaluation take it. */
    private static int[] classes(List<Utterance> utts) {
        int[] y = new int[utts.size()];
        for (int i = 0; i < y.length; i++) y[i] = LabelCodec.targetClass(utts.get(i).row().labels());
        return y;
    }

    /** The manifest's attribute values [n, outputs] row-major. */
    static double[] raw(List<Utterance> utts) {
        int c = utts.isEmpty() ? 0 : utts.getFirst().row().labels().length;
        double[] y = new double[utts.size() * c];
        for (int i = 0; i < utts.size(); i++) System.arraycopy(utts.get(i).row().labels(), 0, y, i * c, c);
        return y;
    }

    /** The codec's min/max scaling in double (LabelCodec.encode rounds to float). */
    private static double[] scaled(LabelCodec codec, List<Utterance> utts) {
        double[] y = raw(utts);
        int c = codec.outputs();
        for (int i = 0; i < y.length; i++) y[i] = (y[i] - codec.min()[i % c]) / (codec.max()[i % c] - codec.min()[i % c]);
        return y;
    }

    private static double[] unscaled(LabelCodec codec, double[] p) {
        int c = codec.outputs();
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) out[i] = p[i] * (codec.max()[i % c] - codec.min()[i % c]) + codec.min()[i % c];
        return out;
    }

    private static double meanSquaredError(double[] p, double[] y) {
        double s = 0;
        for (int i = 0; i < p.length; i++) s += (p[i] - y[i]) * (p[i] - y[i]);
        return s / p.length;
    }
}
