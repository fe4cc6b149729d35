package dev.vavl4j.train;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.DataException;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Split;
import dev.vavl4j.metrics.EvaluationReport;
import dev.vavl4j.metrics.ModalityReport;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.predict.Evaluation;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.predict.UtteranceInference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's protocol: one training run per fold (each fold a manifest with its own Train / Development /
 * Test split of the same corpus, as VAVL's five CREMA-D folds are), each evaluated on its own test split,
 * then every metric's mean and standard deviation over the folds per source (audio, visual, fusion).
 *
 * <p>Fold {@code k} (1-based) trains into {@code out/fold-k}. A fold whose run already holds an epoch
 * ({@code last/}) is resumed rather than refused, so an interrupted cross-validation continues where it
 * stopped, and a finished fold is only evaluated again; the settings rule of {@code train --resume} applies.
 */
public final class CrossValidation {
    private CrossValidation() {}

    /**
     * What to run: the fold manifests (at least 2), the features directory they share, the task and label
     * columns, where fold runs go, the model and trainer keys every fold trains with (as
     * {@link TrainRequest}'s), and the split each fold is scored on (normally Test).
     */
    public record Request(List<Path> manifests, Path features, VavlConfig.Task task, List<String> labels, Path out,
                          Map<String, Object> modelKeys, Map<String, Object> trainerKeys, Split evaluateOn) {
        public Request {
            manifests = List.copyOf(manifests);
            labels = List.copyOf(labels);
            if (manifests.size() < 2) throw new dev.vavl4j.InvalidInputException("cross-validation needs at least 2 fold manifests, got " + manifests.size());
            if (manifests.stream().map(p -> p.toAbsolutePath().normalize()).distinct().count() != manifests.size()) {
                throw new dev.vavl4j.InvalidInputException("the fold manifests " + manifests + " name a file twice");
            }
        }
    }

    /** One fold: its manifest, run directory, how training ended and the report on the evaluated split. */
    public record Fold(int index, Path manifest, Path run, int bestEpoch, String reason, EvaluationReport report) {}

    /** Per-fold progress; a fold's training reports through the listener {@link #fold} returns. */
    public interface Listener {
        /** Fold {@code index} of {@code folds} starts; the listener to train it with. */
        default TrainListener fold(int index, int folds, Path manifest, Path run) {
            return new TrainListener() {};
        }

        default void onFoldDone(Fold fold) {}
    }

    /** Every fold's result and the summary over them. */
    public record Result(List<Fold> folds, Summary summary) {
        /** {"folds": [{"fold", "manifest", "run", "best_epoch", "stopped", "report": {EvaluationReport JSON}}], "summary": {@link Summary#tree}}. */
        public String toJson() {
            ObjectNode root = JsonTrees.JSON.createObjectNode();
            ArrayNode fs = root.putArray("folds");
            for (Fold f : folds) {
                ObjectNode o = fs.addObject();
                o.put("fold", f.index());
                o.put("manifest", f.manifest().toString());
                o.put("run", f.run().toString());
                o.put("best_epoch", f.bestEpoch());
                o.put("stopped", f.reason());
                o.set("report", JsonTrees.parse(f.report().toJson(), "report", IllegalStateException::new));
            }
            root.set("summary", summary.tree());
            try {
                return JsonTrees.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new java.io.UncheckedIOException(e);   // a tree of numbers and strings always serializes
            }
        }
    }

    /**
     * Mean and sample standard deviation (n − 1; 0 for one fold) over folds of each metric, per source. A
     * source counts the folds where it had test utterances ({@code folds}); metrics are the report's:
     * accuracy, f1_macro, f1_micro, precision_macro, recall_macro (classification) or ccc per attribute and
     * ccc_mean (regression).
     */
    public record Summary(Map<String, SourceSummary> sources) {
        ObjectNode tree() {
            ObjectNode o = JsonTrees.JSON.createObjectNode();
            sources.forEach((name, s) -> {
                ObjectNode so = o.putObject(name);
                so.put("folds", s.folds());
                s.metrics().forEach((m, v) -> so.putObject(m).put("mean", v[0]).put("std", v[1]));
            });
            return o;
        }
    }

    /** One source's summary: the folds it was measured in, and metric name → {mean, std}. */
    public record SourceSummary(int folds, Map<String, double[]> metrics) {}

    /** Trains and evaluates every fold in order on {@code be}. */
    public static Result run(Request req, Backend be, Listener listener) throws IOException {
        Listener l = listener == null ? new Listener() {} : listener;
        List<Fold> folds = new ArrayList<>();
        for (int k = 0; k < req.manifests().size(); k++) {
            Path manifest = req.manifests().get(k), run = req.out().resolve("fold-" + (k + 1));
            TrainListener tl = l.fold(k + 1, req.manifests().size(), manifest, run);
            boolean resume = RunDirectory.inspect(new TrainRequest(manifest, req.features(), req.task(), req.labels(), run,
                    req.modelKeys(), req.trainerKeys(), true)) == RunDirectory.State.RESUMABLE;
            TrainRequest tr = new TrainRequest(manifest, req.features(), req.task(), req.labels(), run, req.modelKeys(), req.trainerKeys(), resume);
            Trainer.Result r = Trainer.run(tr, be, tl);
            Fold f = new Fold(k + 1, manifest, run, r.bestEpoch(), r.reason(), evaluate(r.best(), manifest, req, be));
            folds.add(f);
            l.onFoldDone(f);
        }
        return new Result(List.copyOf(folds), summarise(folds));
    }

    /** The fold's best checkpoint on its manifest's evaluated split, as {@code vavl evaluate} scores it. */
    private static EvaluationReport evaluate(Path best, Path manifest, Request req, Backend be) {
        try (Predictor p = Predictor.load(best, be)) {
            List<ManifestRow> rows = Manifest.read(manifest, p.labels()).rows(req.evaluateOn());
            if (rows.isEmpty()) throw new DataException(manifest + ": no rows with Split_Set " + req.evaluateOn().label + " to evaluate the fold on");
            Corpus c = Corpus.load(rows, req.features(), p.config().audioDim(), p.config().visualDim(), p.maxFrames(), null);
            if (c.utterances().isEmpty()) throw new DataException(manifest + ": none of the " + rows.size() + " " + req.evaluateOn().label + " rows has features under " + req.features());
            var utts = c.utterances().stream().filter(u -> p.canAnswer(u.hasAudio(), u.hasVisual())).toList();
            List<UtteranceInference.Outputs> outs = p.outputs(utts, null);
            return Evaluation.report(req.evaluateOn().label, utts, outs, p.labelCodec(), p.heads());
        }
    }

    static Summary summarise(List<Fold> folds) {
        Map<String, SourceSummary> out = new LinkedHashMap<>();
        for (String source : List.of("audio", "visual", "fusion")) {
            Map<String, List<Double>> values = new LinkedHashMap<>();
            int n = 0;
            for (Fold f : folds) {
                ModalityReport m = switch (source) {
                    case "audio" -> f.report().audio();
                    case "visual" -> f.report().visual();
                    default -> f.report().fusion();
                };
                if (m == null || m.n() == 0) continue;
                n++;
                metrics(m, f.report().labels()).forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            }
            if (n == 0) continue;
            Map<String, double[]> stats = new LinkedHashMap<>();
            values.forEach((k, v) -> stats.put(k, meanStd(v)));
            out.put(source, new SourceSummary(n, stats));
        }
        return new Summary(out);
    }

    private static Map<String, Double> metrics(ModalityReport m, List<String> labels) {
        Map<String, Double> v = new LinkedHashMap<>();
        if (m.classification() != null) {
            var c = m.classification();
            v.put("accuracy", c.accuracy());
            v.put("f1_macro", c.f1Macro());
            v.put("f1_micro", c.f1Micro());
            v.put("precision_macro", c.precisionMacro());
            v.put("recall_macro", c.recallMacro());
        } else {
            var r = m.regression();
            for (int i = 0; i < labels.size(); i++) v.put("ccc_" + labels.get(i), r.ccc()[i]);
            v.put("ccc_mean", r.cccMean());
        }
        return v;
    }

    /** {mean, sample std}; std 0 for a single value. */
    static double[] meanStd(List<Double> v) {
        double mean = 0;
        for (double x : v) mean += x;
        mean /= v.size();
        double ss = 0;
        for (double x : v) ss += (x - mean) * (x - mean);
        return new double[] {mean, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0};
    }

    /** The summary as the table {@code vavl crossval} prints: one row per source, "mean ± std" per metric. */
    public static String table(Summary s) {
        StringBuilder out = new StringBuilder();
        for (var e : s.sources().entrySet()) {
            out.append(String.format(java.util.Locale.ROOT, "%-7s %d folds", e.getKey(), e.getValue().folds()));
            e.getValue().metrics().forEach((m, v) -> out.append(String.format(java.util.Locale.ROOT, "  %s %.4f ± %.4f", m, v[0], v[1])));
            out.append('\n');
        }
        return out.toString();
    }
}
