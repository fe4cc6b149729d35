package dev.vavl4j.predict;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.data.Features;
import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.model.Modality;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.VavlModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Inference from a trained checkpoint, for embedding in a service. Give it raw (un-normalised) features of
 * one utterance or a batch — audio, visual or both — and it applies the checkpoint's normalisation and frame
 * cap, runs the model in eval mode and answers per spec §7.
 * <p>Thread-safe: the model is only read after loading, so concurrent calls may run in parallel; results do
 * not depend on what else is in a batch or on other threads.
 */
public final class Predictor {
    /** Utterances per model call when predicting many. */
    public static final int BATCH = 16;

    private final Checkpoint checkpoint;
    private final VavlModel model;

    private Predictor(Checkpoint checkpoint, VavlModel model) {
        this.checkpoint = checkpoint;
        this.model = model;
    }

    /** Loads a checkpoint directory (or a training output directory's {@code best/}) onto a backend. */
    public static Predictor load(Path dir, Backend backend) {
        Checkpoint ck = Checkpoint.load(dir);
        ParameterStore store = ParameterStore.fromHost(backend, ck.config(), ck.weights(),
                Checkpoint.resolve(dir).resolve("model.safetensors").toString());
        return new Predictor(ck, new VavlModel(ck.config(), store));
    }

    /** One utterance's input: raw features [frames, dim], either may be null but not both. */
    public record Input(Features audio, Features visual) {}

    public Prediction predict(Features audio, Features visual) {
        return predict(List.of(new Input(audio, visual))).getFirst();
    }

    public List<Prediction> predict(List<Input> inputs) {
        List<Utterance> utts = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            String where = inputs.size() == 1 ? "input" : "input " + i;
            if (in.audio() == null && in.visual() == null) throw new IllegalArgumentException(where + ": neither audio nor visual features given");
            check(where + " audio", in.audio(), config().audioDim());
            check(where + " visual", in.visual(), config().visualDim());
            ManifestRow row = new ManifestRow(0, "input-" + i, "input-" + i, null, null, new double[0]);
            utts.add(new Utterance(row, in.audio(), in.visual()));
        }
        return predictUtterances(utts, null);
    }

    /** Predictions for raw utterances (as {@link dev.vavl4j.data.Corpus} loads them), in their order. */
    public List<Prediction> predictUtterances(List<Utterance> raw, IntConsumer onDone) {
        List<UtteranceInference.Outputs> outs = outputs(raw, onDone);
        List<Prediction> result = new ArrayList<>(outs.size());
        for (UtteranceInference.Outputs o : outs) result.add(answer(o));
        return result;
    }

    /** Raw model outputs of raw utterances, for evaluation against labels. */
    public List<UtteranceInference.Outputs> outputs(List<Utterance> raw, IntConsumer onDone) {
        return UtteranceInference.run(model, raw, BATCH, this::prepare, onDone);
    }

    private Utterance prepare(Utterance u) {
        return new Utterance(u.row(), prepare(Modality.AUDIO, u.audio()), prepare(Modality.VISUAL, u.visual()));
    }

    private Features prepare(Modality m, Features f) {
        if (f == null) return null;
        Features capped = checkpoint.maxFrames() > 0 ? f.capped(checkpoint.maxFrames()) : f;
        return checkpoint.normalizer().apply(m, capped);
    }

    private Prediction answer(UtteranceInference.Outputs o) {
        LabelCodec codec = checkpoint.labels();
        EnumMap<Source, double[]> by = new EnumMap<>(Source.class);
        for (Source s : Source.values()) if (o.of(s) != null) by.put(s, codec.decode(o.of(s), 0));
        Source used = o.used();
        double[] scores = by.get(used);
        if (codec.task() == VavlConfig.Task.CLASSIFICATION) {
            int k = Evaluation.argmax(o.of(used));
            return new Prediction(used, codec.columns().get(k), k, scores, by);
        }
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < scores.length; c++) {
            if (c > 0) sb.append(';');
            sb.append(codec.columns().get(c)).append('=').append(String.format(Locale.ROOT, "%.6g", scores[c]));
        }
        return new Prediction(used, sb.toString(), -1, scores, by);
    }

    private static void check(String where, Features f, int dim) {
        if (f == null) return;
        if (f.dim() != dim) throw new IllegalArgumentException(where + ": feature dimension " + f.dim() + ", the model expects " + dim);
        if (f.frames() < 1) throw new IllegalArgumentException(where + ": no frames");
        float[] v = f.values();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) throw new IllegalArgumentException(where + ": value at frame " + i / dim + ", dim " + i % dim + " is " + v[i]);
        }
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    public VavlConfig config() {
        return checkpoint.config();
    }

    public List<String> labels() {
        return checkpoint.labels().columns();
    }
}
