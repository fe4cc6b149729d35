package dev.vavl4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.DropoutHash;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.data.Batches;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.DataException;
import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Normalizer;
import dev.vavl4j.data.Split;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.model.Batch;
import dev.vavl4j.ConfigException;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.TrainStep;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.VavlModel;
import dev.vavl4j.model.WeightInit;
import dev.vavl4j.predict.Evaluation;
import dev.vavl4j.predict.UtteranceInference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Trains VAVL on a corpus: epochs of the three-step schedule of spec §6 over seeded, length-bucketed
 * batches; after each epoch the development loss of the fused prediction picks the best checkpoint
 * ({@code out/best}), and {@code out/last} records everything needed to resume (weights, batch-norm
 * statistics, Adam state, trainer state). Every random choice is a function of (seed, epoch, batch), so a
 * run resumed from {@code out/last} ends bit-identical to one that was never interrupted (CPU backend).
 */
public final class Trainer {
    private Trainer() {}

    public record Result(Path best, Path last, int bestEpoch, double bestDevLoss, List<EpochSummary> history, String reason) {}

    private static final System.Logger LOG = System.getLogger(Trainer.class.getName());

    /** Utterances per model call when measuring the development loss. */
    private static final int EVAL_BATCH = 32;

    /**
     * Trains (or resumes) the run {@code req} describes on {@code be}, with the backend's threads
     * ({@link Backend#call}); the listener is called on one of them.
     *
     * <p>{@code req.out()} must be a new or empty directory, or a run directory; any other non-empty directory, one
     * that is, contains or lies inside the features directory, contains the manifest or lies inside a checkpoint
     * is refused ({@link dev.vavl4j.InvalidInputException}) before anything is written. A run with a whole epoch
     * ({@code last/}) is continued with {@code resume} (plain training refuses it); a save that a crash
     * interrupted is first rolled back or finished and leftovers are deleted. A run killed before its first
     * epoch was saved whole ({@code best/} of epoch 1 without {@code last/}, or temporary directories only) is
     * trained again from epoch 1, with or without {@code resume}. Either way it ends bit-identical to a run that
     * was never interrupted (CPU backend).
     */
    public static Result run(TrainRequest req, Backend be, TrainListener listener) throws IOException {
        try {
            return be.call(() -> {
                try {
                    return runHere(req, be, listener);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Result runHere(TrainRequest req, Backend be, TrainListener listener) throws IOException {
        TrainListener l = listener == null ? new TrainListener() {} : listener;
        Path lastDir = req.out().resolve(RunDirectory.LAST), bestDir = req.out().resolve(RunDirectory.BEST);
        Checkpoint resumed = null;
        TrainingState prior = null;
        // What --out may be and what each state of a run directory means: RunDirectory. Nothing is written before
        // this check, and a run without a whole epoch (killed in its first) is trained again from epoch 1.
        RunDirectory.State outState = RunDirectory.inspect(req);
        if (req.resume() && outState == RunDirectory.State.NEW) {
            throw new dev.vavl4j.CheckpointException(req.out() + ": nothing to resume (no checkpoint in " + lastDir + ")");
        }
        if (req.resume() && outState == RunDirectory.State.RESUMABLE) {
            RunDirectory.recover(req.out());   // an interrupted save of best/ or last/ rolled back or finished, leftovers deleted
            resumed = Checkpoint.load(lastDir);
            if (resumed.trainingJson() == null) {
                throw new dev.vavl4j.CheckpointException(lastDir + ": an inference-only checkpoint (no trainer state, as vavl export writes); it cannot be resumed");
            }
            prior = TrainingState.fromJson(resumed.trainingJson(), lastDir.resolve("checkpoint.json").toString());
        } else if (outState == RunDirectory.State.RESUMABLE) {
            throw new dev.vavl4j.InvalidInputException(req.out() + " already holds a training run; pass --resume to continue it, or choose another --out");
        } else if (req.resume()) {
            LOG.log(System.Logger.Level.INFO, req.out() + " holds no finished epoch (the run was stopped in its first): training it from epoch 1");
        }
        TrainSettings settings = settings(req, prior);
        dev.vavl4j.model.MemoryEstimate.training(VavlConfig.fromJson(JsonTrees.write(withoutDerived(req.modelKeys())), "model configuration"), settings.batchSize(), settings.maxFrames(), be).requireFitsHeap();   // bounds and heap: fail before reading any data

        Data data = load(req, resumed, settings, l);
        List<Utterance> trainRaw = data.train(), devRaw = data.dev();
        String frontEnd = frontEndRecord(req.features(), resumed, lastDir);

        VavlConfig cfg = config(req, data.corpus());
        LabelCodec codec;
        Normalizer norm;
        ParameterStore store;
        if (resumed == null) {
            codec = LabelCodec.fit(req.task(), req.labels(), trainRaw.stream().map(Utterance::row).toList(), req.manifest().toString());
            norm = Normalizer.fit(trainRaw, cfg.audioDim(), cfg.visualDim());
            store = ParameterStore.fromHost(be, cfg, WeightInit.initial(cfg, settings.seed()), "initial weights");
        } else {
            requireSame(cfg, resumed, lastDir);
            if (!resumed.labels().columns().equals(req.labels()) || resumed.labels().task() != req.task()) {
                throw new dev.vavl4j.CheckpointException("--labels " + req.labels() + " / --task " + req.task() + " differ from the checkpoint's "
                        + resumed.labels().columns() + " / " + resumed.labels().task() + " in " + lastDir);
            }
            if (resumed.optimizer() == null) throw new dev.vavl4j.CheckpointException(lastDir + ": no optimizer.safetensors to resume from");
            codec = resumed.labels();
            norm = resumed.normalizer();
            store = ParameterStore.fromHost(be, cfg, resumed.weights(), lastDir.resolve("model.safetensors").toString());
            store.loadOptimizer(resumed.optimizer(), lastDir.resolve("optimizer.safetensors").toString());
        }
        if (outState == RunDirectory.State.NO_EPOCH) RunDirectory.clearUnfinished(req.out());   // only now: bad data leaves the run as it was
        Files.createDirectories(req.out());   // only now: bad data leaves no empty run directory behind
        List<Utterance> train = norm.applyInPlace(trainRaw), dev = norm.applyInPlace(devRaw);
        VavlModel model = new VavlModel(cfg, store);
        TrainStep step = new TrainStep(model);

        List<EpochSummary> history = new ArrayList<>(prior == null ? List.of() : prior.history());
        double bestLoss = prior == null ? Double.POSITIVE_INFINITY : prior.bestDevLoss();
        int bestEpoch = prior == null ? 0 : prior.bestEpoch(), bad = prior == null ? 0 : prior.badEpochs();
        int first = prior == null ? 1 : prior.epochsDone() + 1;
        String reason = "finished " + settings.epochs() + " epochs";
        if (settings.patience() > 0 && bad >= settings.patience()) reason = "stopped early: patience was already exhausted";
        int batches = Batches.trainingOrder(train, settings.batchSize(), settings.seed(), 0).size();
        l.onStart(first, settings.epochs(), batches, summary(cfg, store));

        for (int epoch = first; epoch <= settings.epochs() && !(settings.patience() > 0 && bad >= settings.patience()); epoch++) {
            long t0 = System.nanoTime();
            double[] losses = trainEpoch(step, cfg, train, codec, settings, epoch, l);
            l.onEvaluating(epoch, dev.size());
            AtomicInteger done = new AtomicInteger();
            List<UtteranceInference.Outputs> outs = UtteranceInference.run(model, dev, EVAL_BATCH, n -> l.onEvaluated(done.addAndGet(n)));
            double devLoss = Evaluation.selectionLoss(dev, outs, codec);
            if (!Double.isFinite(devLoss)) {
                throw new TrainingDivergedException("epoch " + epoch + ": the development loss is " + devLoss
                        + " (training diverged; lower lr in --config); "
                        + (epoch > 1 ? lastDir + " keeps epoch " + (epoch - 1) : "nothing was saved"));
            }
            boolean improved = devLoss < bestLoss;
            if (improved) {
                bestLoss = devLoss;
                bestEpoch = epoch;
                bad = 0;
            } else {
                bad++;
            }
            var report = Evaluation.report(Split.DEVELOPMENT.label, dev, outs, codec);
            EpochSummary s = new EpochSummary(epoch, losses[0], losses[1], losses[2], devLoss,
                    devScore(report), improved, (System.nanoTime() - t0) / 1e9);
            history.add(s);
            TrainingState state = new TrainingState(settings, epoch, bestLoss, bestEpoch, bad, List.copyOf(history));
            Checkpoint ck = new Checkpoint(cfg, codec, norm, settings.maxFrames(), store.toHost(), store.optimizerToHost(), state.toJson(), frontEnd);
            if (improved) ck.save(bestDir);
            ck.save(lastDir);
            l.onEpoch(s, List.copyOf(history));
            if (settings.patience() > 0 && bad >= settings.patience() && epoch < settings.epochs()) {
                reason = "stopped early: no better development loss for " + bad + " epochs";
            }
        }
        l.onFinish(reason, bestEpoch, bestLoss);
        return new Result(bestDir, lastDir, bestEpoch, bestLoss, List.copyOf(history), reason);
    }

    /** The Train and Development utterances with features (Test rows are not read: training never looks at them). */
    private record Data(Corpus corpus, List<Utterance> train, List<Utterance> dev) {}

    private static Data load(TrainRequest req, Checkpoint resumed, TrainSettings settings, TrainListener l) {
        Manifest manifest = Manifest.read(req.manifest(), req.labels());
        List<ManifestRow> rows = manifest.rows().stream().filter(r -> r.split() != Split.TEST).toList();
        Corpus corpus = Corpus.load(rows, req.features(), resumed == null ? 0 : resumed.config().audioDim(),
                resumed == null ? 0 : resumed.config().visualDim(), settings.maxFrames(), n -> l.onLoading(n, rows.size()));
        requireInputs(corpus.audioDim(), "audio", req.features());
        requireInputs(corpus.visualDim(), "visual", req.features());
        List<Utterance> train = corpus.split(Split.TRAIN), dev = corpus.split(Split.DEVELOPMENT);
        if (train.size() < 2) throw new DataException(req.manifest() + ": the Train split has " + train.size() + " utterances with features; at least 2 are needed");
        if (dev.isEmpty()) throw new DataException(req.manifest() + ": the Development split has no utterances with features; it selects the best checkpoint");
        l.onData(train.size(), (int) train.stream().filter(u -> !(u.hasAudio() && u.hasVisual())).count(), dev.size(), corpus.skipped());
        return new Data(corpus, train, dev);
    }

    /**
     * The features directory's {@link Corpus#FRONT_END_RECORD} as compact JSON (null when there is none), which
     * the checkpoint keeps so predictions from media extract features the same way. A resumed run must see
     * the record its checkpoint has: features remade by another front end would silently change the inputs.
     */
    private static String frontEndRecord(Path features, Checkpoint resumed, Path lastDir) {
        Path file = features.resolve(Corpus.FRONT_END_RECORD);
        String record = Files.exists(file)
                ? JsonTrees.write(JsonTrees.parse(dev.vavl4j.io.JsonFiles.readObjectText(file, DataException::new), file.toString(), DataException::new))
                : null;
        if (resumed != null) {
            String before = resumed.frontEndJson() == null ? null : JsonTrees.write(JsonTrees.parse(resumed.frontEndJson(), lastDir.toString(), DataException::new));
            if (!java.util.Objects.equals(before, record)) {
                throw new DataException(file + ": the features' front-end record " + (record == null ? "is missing" : "differs from the one in " + lastDir)
                        + "; resume on the features the run was started with");
            }
        }
        return record;
    }

    private static void requireInputs(int dim, String modality, Path features) {
        if (dim == 0) throw new DataException(features + ": no " + modality + " features (" + features.resolve(modality)
                + "/<stem>.npy) for any manifest row; the model needs both input sizes");
    }

    /**
     * One epoch of the three-step schedule over seeded, bucketed batches; returns the mean audio, visual and
     * fusion losses over the batches whose step ran (NaN when none did). Dropout seeds follow (seed, epoch, batch).
     */
    private static double[] trainEpoch(TrainStep step, VavlConfig cfg, List<Utterance> train, LabelCodec codec, TrainSettings settings,
                                       int epoch, TrainListener l) {
        List<int[]> order = Batches.trainingOrder(train, settings.batchSize(), settings.seed(), epoch);
        double[] sum = new double[3];
        int[] count = new int[3];
        long epochSeed = DropoutHash.derive(settings.seed(), 1_000_003L + epoch);
        for (int b = 0; b < order.size(); b++) {
            Batch batch = Batches.assemble(train, order.get(b), cfg.audioDim(), cfg.visualDim(),
                    u -> codec.encode(u.row().labels()), cfg.outputs());
            TrainStep.Report r = step.run(batch, DropoutHash.derive(epochSeed, b), false);
            add(sum, count, 0, r.audio());
            add(sum, count, 1, r.visual());
            add(sum, count, 2, r.fusion());
            l.onBatch(epoch, b + 1, order.size());
        }
        return new double[] {mean(sum, count, 0), mean(sum, count, 1), mean(sum, count, 2)};
    }

    private static TrainSettings settings(TrainRequest req, TrainingState prior) {
        ObjectNode keys = JsonTrees.object(req.trainerKeys());
        if (prior == null) return TrainSettings.fromTree(keys, TrainSettings.defaults(), "training settings");
        TrainSettings s = TrainSettings.fromTree(keys, prior.settings(), "training settings"), p = prior.settings();
        if (s.batchSize() != p.batchSize() || s.seed() != p.seed() || s.maxFrames() != p.maxFrames()) {
            throw new dev.vavl4j.CheckpointException("on resume only epochs and patience may change: the run has batch_size " + p.batchSize()
                    + ", seed " + p.seed() + ", max_frames " + p.maxFrames() + "; given " + s.batchSize() + ", " + s.seed() + ", " + s.maxFrames());
        }
        return s;
    }

    /** Paper defaults, overridden by the request's keys; input sizes, outputs and task come from the data. */
    static VavlConfig config(TrainRequest req, Corpus corpus) {
        ObjectNode keys = JsonTrees.object(req.modelKeys());
        String task = req.task() == VavlConfig.Task.CLASSIFICATION ? "classification" : "regression";
        derived(keys, "audio_dim", corpus.audioDim(), "the audio feature files");
        derived(keys, "visual_dim", corpus.visualDim(), "the visual feature files");
        derived(keys, "outputs", req.labels().size(), "--labels");
        if (keys.has("task") && !keys.get("task").asText().equals(task)) {
            throw new ConfigException("config 'task' is " + keys.get("task") + " but --task is " + task);
        }
        keys.put("task", task);
        return VavlConfig.fromJson(JsonTrees.write(keys), "model configuration");
    }

    /** The request's model keys minus those the data decides, for checking the rest before loading. */
    private static ObjectNode withoutDerived(java.util.Map<String, Object> modelKeys) {
        ObjectNode k = JsonTrees.object(modelKeys);
        k.remove(List.of("audio_dim", "visual_dim", "outputs", "task"));
        return k;
    }

    private static void derived(ObjectNode keys, String key, int value, String from) {
        if (keys.has(key) && !(keys.get(key).canConvertToInt() && keys.get(key).asInt() == value)) {
            throw new ConfigException("config '" + key + "' is " + keys.get(key) + " but " + from + " give " + value);
        }
        keys.put(key, value);
    }

    private static void requireSame(VavlConfig cfg, Checkpoint resumed, Path dir) {
        if (cfg.equals(resumed.config())) return;
        JsonNode a = JsonTrees.parse(cfg.toJson(), "config", IllegalStateException::new),
                b = JsonTrees.parse(resumed.config().toJson(), "config", IllegalStateException::new);
        List<String> diff = new ArrayList<>();
        a.fieldNames().forEachRemaining(k -> {
            if (!a.get(k).equals(b.get(k))) diff.add(k + " " + b.get(k) + " → " + a.get(k));
        });
        throw new dev.vavl4j.CheckpointException("the model configuration differs from the run being resumed (" + dir + "): " + String.join(", ", diff));
    }

    private static void add(double[] sum, int[] count, int i, TrainStep.SubStep s) {
        if (s == null) return;
        sum[i] += s.loss();
        count[i]++;
    }

    private static double mean(double[] sum, int[] count, int i) {
        return count[i] == 0 ? Double.NaN : sum[i] / count[i];
    }

    private static double devScore(dev.vavl4j.metrics.EvaluationReport r) {
        var f = r.fusion().n() > 0 ? r.fusion() : r.audio().n() > 0 ? r.audio() : r.visual();
        if (f.classification() != null) return f.classification().accuracy();
        if (f.regression() != null) return f.regression().cccMean();
        return Double.NaN;
    }

    static String summary(VavlConfig cfg, ParameterStore store) {
        long n = 0;
        for (var p : store.params().values()) n += p.value.size();
        return String.format(java.util.Locale.ROOT, "%s, %d outputs, d %d, %d heads, %d+%d layers, inputs audio %d / visual %d, %,d parameters",
                cfg.task().name().toLowerCase(java.util.Locale.ROOT), cfg.outputs(), cfg.modelDim(), cfg.heads(),
                cfg.modalityLayers(), cfg.sharedLayers(), cfg.audioDim(), cfg.visualDim(), n);
    }
}
