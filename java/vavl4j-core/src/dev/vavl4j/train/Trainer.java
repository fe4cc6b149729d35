package dev.vavl4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.DropoutHash;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.checkpoint.TrainedHeads;
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
            if (!resumed.heads().equals(data.heads())) {
                throw new dev.vavl4j.CheckpointException("the run being resumed (" + lastDir + ") trained the " + resumed.heads()
                        + " heads, but these features train the " + data.heads() + " heads; resume on the features the run was started with");
            }
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
        settings.schedule().requireFits((long) settings.epochs() * batches);
        Tensor weights = classWeights(be, settings, codec, train);
        l.onHeads(data.heads());
        l.onStart(first, settings.epochs(), batches, summary(cfg, store));

        for (int epoch = first; epoch <= settings.epochs() && !(settings.patience() > 0 && bad >= settings.patience()); epoch++) {
            long t0 = System.nanoTime();
            EpochLosses losses = trainEpoch(step, cfg, train, codec, settings, epoch, weights, l);
            l.onEvaluating(epoch, dev.size());
            AtomicInteger done = new AtomicInteger();
            List<UtteranceInference.Outputs> outs = UtteranceInference.run(model, dev, EVAL_BATCH, n -> l.onEvaluated(done.addAndGet(n)))
                    .stream().map(o -> o.restrictedTo(data.heads())).toList();   // an untrained head neither selects nor scores
            double devLoss = Evaluation.selectionLoss(dev, outs, codec);
            if (!Double.isFinite(devLoss)) {
                throw new TrainingDivergedException("epoch " + epoch + ": the development loss is " + devLoss
                        + " (training diverged; lower lr in --config); "
                        + (epoch > 1 ? lastDir + " keeps epoch " + (epoch - 1) : "nothing was saved"));
            }
            var report = Evaluation.report(Split.DEVELOPMENT.label, dev, outs, codec, data.heads());
            double score = devScore(report);
            EpochSummary bestSoFar = bestEpoch == 0 ? null : history.get(bestEpoch - 1);
            EpochSummary measured = new EpochSummary(epoch, losses.audio(), losses.visual(), losses.fusion(), devLoss, score, false, 0,
                    losses.selectionTask(data.heads()));
            boolean improved = TrainingState.improves(settings.selectOn(), measured, bestSoFar);
            if (improved) {
                bestLoss = devLoss;
                bestEpoch = epoch;
                bad = 0;
            } else {
                bad++;
            }
            EpochSummary s = new EpochSummary(epoch, losses.audio(), losses.visual(), losses.fusion(), devLoss,
                    score, improved, (System.nanoTime() - t0) / 1e9, losses.selectionTask(data.heads()));
            history.add(s);
            TrainingState state = new TrainingState(settings, epoch, bestLoss, bestEpoch, bad, List.copyOf(history));
            Checkpoint ck = new Checkpoint(cfg, codec, norm, settings.maxFrames(), store.toHost(), store.optimizerToHost(), state.toJson(), frontEnd, data.heads());
            if (improved) ck.save(bestDir);
            ck.save(lastDir);
            l.onEpoch(s, List.copyOf(history));
            if (settings.patience() > 0 && bad >= settings.patience() && epoch < settings.epochs()) {
                reason = "stopped early: no better development " + settings.selectOn().key + " for " + bad + " epochs";
            }
        }
        l.onFinish(reason, bestEpoch, bestLoss);
        return new Result(bestDir, lastDir, bestEpoch, bestLoss, List.copyOf(history), reason);
    }

    /** The Train and Development utterances with features (Test rows are not read: training never looks at them), and the heads they train. */
    private record Data(Corpus corpus, List<Utterance> train, List<Utterance> dev, TrainedHeads heads) {}

    private static Data load(TrainRequest req, Checkpoint resumed, TrainSettings settings, TrainListener l) {
        Manifest manifest = Manifest.read(req.manifest(), req.labels());
        List<ManifestRow> rows = manifest.rows().stream().filter(r -> r.split() != Split.TEST).toList();
        Corpus corpus = Corpus.load(rows, req.features(), resumed == null ? 0 : resumed.config().audioDim(),
                resumed == null ? 0 : resumed.config().visualDim(), settings.maxFrames(), n -> l.onLoading(n, rows.size()));
        List<Utterance> train = corpus.split(Split.TRAIN), dev = corpus.split(Split.DEVELOPMENT);
        if (train.size() < 2) throw new DataException(req.manifest() + ": the Train split has " + train.size() + " utterances with features; at least 2 are needed");
        TrainedHeads heads = trainableHeads(train, req);
        if (dev.stream().noneMatch(u -> (u.hasAudio() && heads.audio()) || (u.hasVisual() && heads.visual()))) {
            throw new DataException(req.manifest() + ": the Development split has no utterances with " + (heads.audio() && heads.visual() ? "audio or visual"
                    : heads.audio() ? "audio" : "visual") + " features (the heads this corpus trains: " + heads + "); it selects the best checkpoint");
        }
        l.onData(train.size(), (int) train.stream().filter(u -> !(u.hasAudio() && u.hasVisual())).count(), dev.size(), corpus.skipped());
        return new Data(corpus, train, dev, heads);
    }

    /**
     * The heads the Train split can train: a unimodal head needs {@link TrainStep#MIN_SAMPLES} utterances with its
     * modality, the fusion head as many with both (spec §6 skips a step with fewer). A corpus with no visual files
     * at all trains the audio head only, and so on; one that can train none is refused, with the counts.
     */
    static TrainedHeads trainableHeads(List<Utterance> train, TrainRequest req) {
        long audio = train.stream().filter(Utterance::hasAudio).count(), visual = train.stream().filter(Utterance::hasVisual).count(),
                both = train.stream().filter(u -> u.hasAudio() && u.hasVisual()).count();
        int min = TrainStep.MIN_SAMPLES;
        if (audio < min && visual < min) {
            throw new DataException(req.manifest() + ": the Train split has " + audio + " utterances with audio features and " + visual
                    + " with visual features (under " + req.features() + "); a head needs at least " + min);
        }
        return new TrainedHeads(audio >= min, visual >= min, both >= min && audio >= min && visual >= min);
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

    /** An epoch's mean training losses over the batches whose step ran (NaN when none did). */
    record EpochLosses(double audio, double visual, double fusion, double audioTask, double visualTask) {
        /**
         * The training counterpart of the development loss, for the learning curve: the fused task loss when the
         * fusion head trains, else the mean task loss (without reconstruction) of the unimodal heads that train.
         */
        double selectionTask(TrainedHeads heads) {
            if (heads.fusion()) return fusion;
            if (heads.audio() && heads.visual()) return (audioTask + visualTask) / 2;
            return heads.audio() ? audioTask : visualTask;
        }
    }

    /**
     * One epoch of the three-step schedule over seeded, bucketed batches. Dropout seeds follow (seed, epoch,
     * batch); augmentation follows (seed, epoch, utterance) and the learning rate the global step, so an epoch
     * depends on nothing but the run's settings, the data and the weights it starts from.
     */
    private static EpochLosses trainEpoch(TrainStep step, VavlConfig cfg, List<Utterance> train, LabelCodec codec, TrainSettings settings,
                                          int epoch, Tensor classWeights, TrainListener l) {
        List<int[]> order = Batches.trainingOrder(train, settings.batchSize(), settings.seed(), epoch);
        double[] sum = new double[5];
        int[] count = new int[5];
        long epochSeed = DropoutHash.derive(settings.seed(), 1_000_003L + epoch);
        long totalSteps = (long) settings.epochs() * order.size();
        for (int b = 0; b < order.size(); b++) {
            List<Utterance> batchUtts = augmented(train, order.get(b), settings, epoch);
            Batch batch = Batches.assemble(batchUtts, java.util.stream.IntStream.range(0, batchUtts.size()).toArray(), cfg.audioDim(), cfg.visualDim(),
                    u -> codec.encode(u.row().labels()), cfg.outputs());
            long globalStep = (long) (epoch - 1) * order.size() + b + 1;
            TrainStep.Options options = new TrainStep.Options(settings.schedule().factor(globalStep, totalSteps), settings.maxGradNorm(), classWeights);
            TrainStep.Report r = step.run(batch, DropoutHash.derive(epochSeed, b), false, options);
            add(sum, count, 0, r.audio() == null ? Double.NaN : r.audio().loss());
            add(sum, count, 1, r.visual() == null ? Double.NaN : r.visual().loss());
            add(sum, count, 2, r.fusion() == null ? Double.NaN : r.fusion().loss());
            add(sum, count, 3, taskOnly(r.audio(), cfg));
            add(sum, count, 4, taskOnly(r.visual(), cfg));
            l.onBatch(epoch, b + 1, order.size());
        }
        return new EpochLosses(mean(sum, count, 0), mean(sum, count, 1), mean(sum, count, 2), mean(sum, count, 3), mean(sum, count, 4));
    }

    /** Seeds of each modality's augmentation, apart from each other and from the dropout and shuffle seeds. */
    private static final long AUGMENT_AUDIO = 0x6175_6469_6fL, AUGMENT_VISUAL = 0x7669_7375_616cL;

    /**
     * The batch's (normalised) utterances with the run's augmentation applied: fresh copies keyed by (seed, epoch,
     * index in the Train split), so the stored corpus stays untouched and every epoch draws new masks.
     */
    static List<Utterance> augmented(List<Utterance> train, int[] idx, TrainSettings settings, int epoch) {
        Augmentation aug = settings.augmentation();
        List<Utterance> out = new ArrayList<>(idx.length);
        long audioSeed = DropoutHash.derive(settings.seed(), AUGMENT_AUDIO), visualSeed = DropoutHash.derive(settings.seed(), AUGMENT_VISUAL);
        for (int i : idx) {
            Utterance u = train.get(i);
            if (aug.isOff()) {
                out.add(u);
                continue;
            }
            out.add(new Utterance(u.row(), u.audio() == null ? null : aug.apply(u.audio(), audioSeed, epoch, i),
                    u.visual() == null ? null : aug.apply(u.visual(), visualSeed, epoch, i)));
        }
        return out;
    }

    /**
     * The cross-entropy's class weights on the backend ({@code class_weights}), from the Train split's target
     * classes; null when off or for regression.
     */
    private static Tensor classWeights(Backend be, TrainSettings settings, LabelCodec codec, List<Utterance> train) {
        if (settings.classWeights() == ClassWeights.NONE || codec.task() != VavlConfig.Task.CLASSIFICATION) return null;
        int[] classes = train.stream().mapToInt(u -> LabelCodec.targetClass(u.row().labels())).toArray();
        return be.fromHost(settings.classWeights().compute(classes, codec.outputs()), codec.outputs());
    }

    /** A unimodal step's task loss: its loss less the weighted reconstruction term (NaN when the step was skipped). */
    private static double taskOnly(TrainStep.SubStep s, VavlConfig cfg) {
        return s == null ? Double.NaN : s.loss() - cfg.reconWeight() * s.reconLoss();
    }

    private static TrainSettings settings(TrainRequest req, TrainingState prior) {
        ObjectNode keys = JsonTrees.object(req.trainerKeys());
        if (prior == null) return TrainSettings.fromTree(keys, TrainSettings.defaults(), "training settings");
        TrainSettings s = TrainSettings.fromTree(keys, prior.settings(), "training settings"), p = prior.settings();
        if (!s.sameTraining(p)) {
            throw new dev.vavl4j.CheckpointException("on resume only epochs and patience may change: the run has " + differences(p, s));
        }
        return s;
    }

    /**
     * Paper defaults, overridden by the request's keys; input sizes, outputs and task come from the data. A
     * modality without any feature file takes its size from the config ({@code audio_dim} / {@code visual_dim})
     * or, without that key, {@link #ABSENT_INPUT_DIM}: its encoder is never trained nor asked for an answer, so
     * its size only shapes weights that stay at their initial values.
     */
    static VavlConfig config(TrainRequest req, Corpus corpus) {
        ObjectNode keys = JsonTrees.object(req.modelKeys());
        String task = req.task() == VavlConfig.Task.CLASSIFICATION ? "classification" : "regression";
        inputDim(keys, "audio_dim", corpus.audioDim(), "the audio feature files");
        inputDim(keys, "visual_dim", corpus.visualDim(), "the visual feature files");
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

    /** The settings that differ between the run ({@code was}) and the request ({@code now}): "batch_size 8 (given 16), ...". */
    private static String differences(TrainSettings was, TrainSettings now) {
        ObjectNode a = was.tree(), b = now.tree();
        List<String> diff = new ArrayList<>();
        a.fieldNames().forEachRemaining(k -> {
            if (!k.equals("epochs") && !k.equals("patience") && !a.get(k).equals(b.get(k))) diff.add(k + " " + a.get(k) + " (given " + b.get(k) + ")");
        });
        return String.join(", ", diff);
    }

    /** The input size of a modality no feature file has, unless the config names one: the smallest, so the unused encoder costs least. */
    public static final int ABSENT_INPUT_DIM = 1;

    private static void inputDim(ObjectNode keys, String key, int fromData, String from) {
        if (fromData > 0) derived(keys, key, fromData, from);
        else if (!keys.has(key)) keys.put(key, ABSENT_INPUT_DIM);
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

    private static void add(double[] sum, int[] count, int i, double v) {
        if (Double.isNaN(v)) return;
        sum[i] += v;
        count[i]++;
    }

    private static double mean(double[] sum, int[] count, int i) {
        return count[i] == 0 ? Double.NaN : sum[i] / count[i];
    }

    private static double devScore(dev.vavl4j.metrics.EvaluationReport r) {
        var f = r.fusion() != null && r.fusion().n() > 0 ? r.fusion() : r.audio() != null && r.audio().n() > 0 ? r.audio() : r.visual();
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
