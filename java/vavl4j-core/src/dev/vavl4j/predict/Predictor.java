package dev.vavl4j.predict;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.data.Features;
import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.Normalizer;
import dev.vavl4j.device.Devices;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.model.MemoryEstimate;
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
 * <pre>{@code
 * try (Predictor p = Predictor.builder(Path.of("model")).device("cpu").threads(4).build()) {
 *     Prediction answer = p.predict(audioFeatures, null);
 * }
 * }</pre>
 * <p>It reads only what inference needs (weights, config, normalisation, labels and frame cap), never the
 * optimizer state of a training checkpoint, and keeps no host copy of the weights once they are on the
 * backend.
 * <p><b>Batches.</b> An utterance's answer does not depend on what else is in its batch beyond float32
 * rounding, but it is not bit-identical: a batch pads every utterance to its longest one, which changes how
 * the matrix products are blocked and summed. What holds (and {@code PredictorTest} asserts): the raw outputs
 * of each head alone and in a batch differ by at most {@link #BATCH_TOLERANCE} (1e-5) times the largest
 * magnitude among that head's outputs, class probabilities by at most 1e-5 absolute (regression answers, which
 * are raw outputs mapped back to the label's units, by 1e-5 of the largest output times the label's range),
 * and the class answer is the same except at a near-tie, when its top two outputs are closer than that. On the
 * test models the measured differences were at most 7e-7 relative for raw outputs and 2.3e-7 for probabilities.
 * The same inputs in the same batch give the same bits every time, also from concurrent callers.
 * <p>Thread-safe: the model is only read after loading, so concurrent calls may run in parallel; results do
 * not depend on other threads. On the CPU every call runs on the backend's
 * threads ({@link Backend#call}), so a predictor with {@code threads(n)} uses at most n cores however many
 * callers it has.
 * <p>{@link #close()} closes the backend the predictor opened (freeing device memory on a GPU); a backend
 * handed to {@link #load(Path, Backend)} or {@link Builder#backend} stays open and stays the caller's.
 */
public final class Predictor implements AutoCloseable {
    /** Utterances per model call when predicting many. */
    public static final int BATCH = 16;
    /** How far an answer in a batch may be from the same utterance's answer alone (see the class comment, "Batches"). */
    public static final double BATCH_TOLERANCE = 1e-5;

    private final VavlConfig config;
    private final LabelCodec codec;
    private final Normalizer normalizer;
    private final int maxFrames;
    private final VavlModel model;
    private final Backend backend;
    private final boolean ownsBackend;
    private final String backendReason;
    private final String modelName;
    private final String frontEndJson;
    private final dev.vavl4j.checkpoint.TrainedHeads heads;
    private volatile boolean closed;

    private Predictor(Checkpoint ck, String modelName, VavlModel model, Backend backend, boolean ownsBackend, String backendReason) {
        this.modelName = modelName;
        this.config = ck.config();
        this.codec = ck.labels();
        this.normalizer = ck.normalizer();
        this.maxFrames = ck.maxFrames();
        this.frontEndJson = ck.frontEndJson();
        this.heads = ck.heads();
        this.model = model;
        this.backend = backend;
        this.ownsBackend = ownsBackend;
        this.backendReason = backendReason;
    }

    /** Loads a checkpoint directory (or a training run's {@code best/}) on the device {@code auto} picks. */
    public static Predictor load(Path dir) {
        return builder(dir).build();
    }

    /**
     * Loads a checkpoint directory (or a training output directory's {@code best/}) onto a backend the
     * caller owns: {@link #close()} leaves it open.
     */
    public static Predictor load(Path dir, Backend backend) {
        return builder(dir).backend(backend).build();
    }

    /** A builder for a predictor of the checkpoint (or run) at {@code dir}. */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Options of a {@link Predictor}: the device (or a backend of the caller's) and the CPU thread count. */
    public static final class Builder {
        private final Path dir;
        private String device = "auto";
        private int threads = Runtime.getRuntime().availableProcessors();
        private Backend backend;

        private Builder(Path dir) {
            this.dir = java.util.Objects.requireNonNull(dir, "dir");
        }

        /** {@code cpu}, {@code cuda} or {@code auto} (the default: the GPU when one opens, else the CPU). */
        public Builder device(String device) {
            this.device = java.util.Objects.requireNonNull(device, "device");
            return this;
        }

        /** Threads of the CPU backend (default: one per core); ignored on a GPU. */
        public Builder threads(int threads) {
            if (threads < 1) throw new dev.vavl4j.ConfigException("threads must be ≥ 1, got " + threads);
            this.threads = threads;
            return this;
        }

        /** Runs on {@code backend}, which stays the caller's: the predictor does not close it. */
        public Builder backend(Backend backend) {
            this.backend = java.util.Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** Reads and validates the checkpoint and uploads its weights. */
        public Predictor build() {
            // Read and validate the files before a device is opened, so a bad checkpoint costs no GPU context.
            Checkpoint ck = Checkpoint.loadForInference(dir);   // never reads optimizer.safetensors
            Path resolved = Checkpoint.resolve(dir);
            if (backend != null) return open(ck, resolved, backend, false, "given: " + backend.name());
            Devices.Selection sel = Devices.open(device, threads);
            try {
                return open(ck, resolved, sel.backend(), true, sel.reason());
            } catch (RuntimeException | Error e) {
                sel.backend().close();
                throw e;
            }
        }

        private static Predictor open(Checkpoint ck, Path dir, Backend be, boolean owns, String reason) {
            MemoryEstimate.inference(ck.config(), 1, ck.maxFrames(), be).requireFitsHeap();   // before the upload; 1: what any call needs
            ParameterStore store = ParameterStore.fromHost(be, ck.config(), ck.weights(), dir.resolve("model.safetensors").toString());
            return new Predictor(ck, dir.toString(), new VavlModel(ck.config(), store), be, owns, reason);
        }
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
            if (in.audio() == null && in.visual() == null) throw new InvalidInputException(where + ": neither audio nor visual features given");
            // Features of a modality without a trained head are ignored when the other is there (they could not
            // change the answer), and refused, naming the head the model has, when they are all there is.
            Features a = heads.audio() ? in.audio() : null, v = heads.visual() ? in.visual() : null;
            if (a == null && v == null) {
                throw new InvalidInputException(where + ": has only " + (in.audio() != null ? "audio" : "visual") + " features, but model "
                        + modelName + " was trained on " + heads + " only (its corpus had no " + (in.audio() != null ? "audio" : "visual") + ")");
            }
            check(where + " audio", a, config.audioDim());
            check(where + " visual", v, config.visualDim());
            ManifestRow row = new ManifestRow(0, "input-" + i, "input-" + i, null, null, new double[0]);
            utts.add(new Utterance(row, a, v));
        }
        return predictUtterances(utts, null);
    }

    /** Predictions for raw utterances (as {@link dev.vavl4j.data.Corpus} loads them), in their order. */
    /**
     * Predictions for raw utterances (as {@link dev.vavl4j.data.Corpus} loads them), in their order. An
     * utterance that has only a modality the model was not trained on ({@link #heads()}) is an
     * {@link InvalidInputException} naming it, before anything is computed.
     */
    public List<Prediction> predictUtterances(List<Utterance> raw, IntConsumer onDone) {
        for (int i = 0; i < raw.size(); i++) requireAnswerable(raw.get(i), raw.size() == 1 && raw.get(i).row().line() == 0 ? "input" : where(raw.get(i), i));
        List<UtteranceInference.Outputs> outs = outputs(raw, onDone);
        List<Prediction> result = new ArrayList<>(outs.size());
        for (UtteranceInference.Outputs o : outs) result.add(answer(o));
        return result;
    }

    /** Whether this model can answer for an utterance with these modalities (one of them has a trained head). */
    public boolean canAnswer(boolean hasAudio, boolean hasVisual) {
        return (hasAudio && heads.audio()) || (hasVisual && heads.visual());
    }

    private void requireAnswerable(Utterance u, String where) {
        if (canAnswer(u.hasAudio(), u.hasVisual())) return;
        throw new InvalidInputException(where + ": has only " + (u.hasAudio() ? "audio" : "visual") + " features, but model " + modelName
                + " was trained on " + heads + " only (its corpus had no " + (u.hasAudio() ? "audio" : "visual") + ")");
    }

    private static String where(Utterance u, int i) {
        ManifestRow row = u.row();
        return row.line() > 0 ? row.stem() + " (" + row.where() + ")" : "input " + i;
    }

    /**
     * Raw model outputs of raw utterances, for evaluation against labels (and what every prediction is decoded
     * from); the outputs of heads the model was not trained on ({@link #heads()}) are null. A non-finite output is an {@link InvalidInputException} naming the model, the utterance and the
     * head ({@link UtteranceInference#requireFinite}), never a NaN score.
     */
    public List<UtteranceInference.Outputs> outputs(List<Utterance> raw, IntConsumer onDone) {
        ensureOpen();
        List<UtteranceInference.Outputs> outs = backend.call(() -> UtteranceInference.run(model, raw, BATCH, this::prepare, onDone));
        outs = outs.stream().map(o -> o.restrictedTo(heads)).toList();   // an untrained head never answers
        UtteranceInference.requireFinite(outs, raw, "model " + modelName);
        return outs;
    }

    private Utterance prepare(Utterance u) {
        return new Utterance(u.row(), prepare(Modality.AUDIO, u.audio()), prepare(Modality.VISUAL, u.visual()));
    }

    private Features prepare(Modality m, Features f) {
        if (f == null) return null;
        Features capped = maxFrames > 0 ? f.capped(maxFrames) : f;
        return normalizer.apply(m, capped);
    }

    private Prediction answer(UtteranceInference.Outputs o) {
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
        if (f.dim() != dim) throw new InvalidInputException(where + ": feature dimension " + f.dim() + ", the model expects " + dim);
        if (f.frames() < 1) throw new InvalidInputException(where + ": no frames");
        float[] v = f.values();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) throw new InvalidInputException(where + ": value at frame " + i / dim + ", dim " + i % dim + " is " + v[i]);
        }
    }

    public VavlConfig config() {
        return config;
    }

    /** The label columns: class names, or attribute names for regression. */
    public List<String> labels() {
        return codec.columns();
    }

    /** How labels are encoded and model outputs decoded (task, columns, regression ranges). */
    public LabelCodec labelCodec() {
        return codec;
    }

    /** The frame cap applied to every input (0: none). */
    public int maxFrames() {
        return maxFrames;
    }

    /**
     * What made the features this model was trained on ({@link Checkpoint#frontEndJson}), as JSON object text,
     * or null when its features came from elsewhere. vavl4j-media's {@code MediaPredictor} extracts with it.
     */
    public String frontEndJson() {
        return frontEndJson;
    }

    /** The heads the model was trained on: one modality's corpus trains that modality's head only. */
    public dev.vavl4j.checkpoint.TrainedHeads heads() {
        return heads;
    }

    /** The backend the model runs on. */
    public Backend backend() {
        return backend;
    }

    /** Why this backend was chosen (e.g. {@code auto chose cpu: no libcuda.so.1}), or {@code given: cpu}. */
    public String backendReason() {
        return backendReason;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("this Predictor is closed");
    }

    /** Closes the backend if the predictor opened it; a backend it was handed stays open. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (ownsBackend) backend.close();
    }
}
