package dev.vavl4j.predict;

import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.metrics.ClassificationMetrics;
import dev.vavl4j.metrics.EvaluationReport;
import dev.vavl4j.metrics.HostLosses;
import dev.vavl4j.metrics.ModalityReport;
import dev.vavl4j.metrics.RegressionMetrics;
import java.util.ArrayList;
import java.util.List;

/** Metrics and losses of model outputs against the manifest labels. */
public final class Evaluation {
    private Evaluation() {}

    /** Audio-only over utterances with audio, visual-only over those with visual, fusion over those with both. */
    public static EvaluationReport report(String split, List<Utterance> utts, List<UtteranceInference.Outputs> outs,
                                          LabelCodec codec) {
        return report(split, utts, outs, codec, dev.vavl4j.checkpoint.TrainedHeads.ALL);
    }

    /** {@link #report(String, List, List, LabelCodec)} of a model with the given heads: the others are left out (null). */
    public static EvaluationReport report(String split, List<Utterance> utts, List<UtteranceInference.Outputs> outs,
                                          LabelCodec codec, dev.vavl4j.checkpoint.TrainedHeads heads) {
        return new EvaluationReport(split, codec.columns(), heads.audio() ? source(Source.AUDIO, utts, outs, codec) : null,
                heads.visual() ? source(Source.VISUAL, utts, outs, codec) : null, heads.fusion() ? source(Source.FUSION, utts, outs, codec) : null);
    }

    private static ModalityReport source(Source s, List<Utterance> utts, List<UtteranceInference.Outputs> outs, LabelCodec codec) {
        List<Integer> rows = rowsWith(s, outs);
        int n = rows.size(), C = codec.outputs();
        if (n == 0) return new ModalityReport(s.key, 0, null, null);
        if (codec.task() == dev.vavl4j.model.VavlConfig.Task.CLASSIFICATION) {
            int[] truth = new int[n], pred = new int[n];
            for (int i = 0; i < n; i++) {
                truth[i] = LabelCodec.targetClass(utts.get(rows.get(i)).row().labels());
                pred[i] = argmax(outs.get(rows.get(i)).of(s));
            }
            return new ModalityReport(s.key, n, ClassificationMetrics.of(truth, pred, C), null);
        }
        double[] pred = new double[n * C], truth = new double[n * C];
        for (int i = 0; i < n; i++) {
            System.arraycopy(codec.decode(outs.get(rows.get(i)).of(s), 0), 0, pred, i * C, C);
            System.arraycopy(utts.get(rows.get(i)).row().labels(), 0, truth, i * C, C);
        }
        return new ModalityReport(s.key, n, null, RegressionMetrics.of(pred, truth, n, C));
    }

    /**
     * The development loss that selects the best checkpoint: the task loss of the fused prediction over the
     * utterances with both modalities, as the paper does. Without any such output (no Development utterance
     * has both, or the model has no fusion head because its corpus has one modality only) it is the mean of
     * the audio and visual losses over the sources that have outputs: for an audio-only corpus, the audio
     * task loss. Outputs of untrained heads must already be dropped ({@link UtteranceInference.Outputs#restrictedTo}). Regression losses are
     * computed on the min/max-scaled targets the model is trained on.
     */
    public static double selectionLoss(List<Utterance> utts, List<UtteranceInference.Outputs> outs, LabelCodec codec) {
        if (!rowsWith(Source.FUSION, outs).isEmpty()) return loss(Source.FUSION, utts, outs, codec);
        double sum = 0;
        int k = 0;
        for (Source s : List.of(Source.AUDIO, Source.VISUAL)) {
            if (rowsWith(s, outs).isEmpty()) continue;
            sum += loss(s, utts, outs, codec);
            k++;
        }
        if (k == 0) throw new IllegalArgumentException("no utterances to compute a development loss on");
        return sum / k;
    }

    /** The spec §5 task loss of one source's outputs. */
    public static double loss(Source s, List<Utterance> utts, List<UtteranceInference.Outputs> outs, LabelCodec codec) {
        List<Integer> rows = rowsWith(s, outs);
        int n = rows.size(), C = codec.outputs();
        if (codec.task() == dev.vavl4j.model.VavlConfig.Task.CLASSIFICATION) {
            float[] logits = new float[n * C];
            int[] target = new int[n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(outs.get(rows.get(i)).of(s), 0, logits, i * C, C);
                target[i] = LabelCodec.targetClass(utts.get(rows.get(i)).row().labels());
            }
            return HostLosses.crossEntropy(logits, target, n, C);
        }
        double[] pred = new double[n * C], truth = new double[n * C];
        for (int i = 0; i < n; i++) {
            float[] o = outs.get(rows.get(i)).of(s), y = codec.encode(utts.get(rows.get(i)).row().labels());
            for (int c = 0; c < C; c++) {
                pred[i * C + c] = o[c];
                truth[i * C + c] = y[c];
            }
        }
        return HostLosses.cccLoss(pred, truth, n, C);
    }

    private static List<Integer> rowsWith(Source s, List<UtteranceInference.Outputs> outs) {
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < outs.size(); i++) if (outs.get(i).of(s) != null) rows.add(i);
        return rows;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
