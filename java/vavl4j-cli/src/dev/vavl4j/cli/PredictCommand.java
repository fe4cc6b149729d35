package dev.vavl4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.DataException;
import dev.vavl4j.data.Features;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Npy;
import dev.vavl4j.data.Split;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.io.AtomicFiles;
import dev.vavl4j.media.ClipFeatures;
import dev.vavl4j.media.MediaPrediction;
import dev.vavl4j.media.MediaPredictor;
import dev.vavl4j.predict.Prediction;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.predict.Source;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        // the two forms, which picocli's generated synopsis (every option optional) does not show
        synopsisHeading = "", customSynopsis = {
                "Usage: vavl predict [-hV] --model=DIR [--audio=FILE.npy] [--visual=FILE.npy]",
                "                    [--device=cpu|cuda|auto]",
                "  or:  vavl predict [-hV] --model=DIR --media=FILE [FILE...] [--device=cpu|cuda|auto]",
                "  or:  vavl predict [-hV] --model=DIR --manifest=FILE --features=DIR",
                "                    --out=FILE.csv [--overwrite] [--split=Train|Development|Test]",
                "                    [--device=cpu|cuda|auto]"},
        description = {"Predicts one utterance from its feature files, or the utterances of a manifest (labels are not needed).",
                "One utterance (--audio and/or --visual): prints one JSON object with modality (the head that "
                + "answered: fusion, audio or visual), prediction, scores (label -> score) and by_source (the scores of "
                + "every head that applied).",
                "Media files (--media): extracts features with the front end the model was trained on (recorded by vavl "
                + "features) and prints one JSON object per file, with file, the frames used per modality and why one is "
                + "missing; audio only, video only or both, as the file gives. A file that cannot be used is reported on "
                + "stderr, the others are still predicted, and the exit code is 1.",
                "A corpus (--manifest, --features, --out): predicts the manifest's rows (only FileName is needed; with a "
                + "Split_Set column, the rows of --split) and writes a CSV: FileName, modality, prediction, and the scores "
                + "(class probabilities, or attribute values in the manifest's units)."})
final class PredictCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = dev.vavl4j.io.JsonFiles.strictMapper(ObjectMapper.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory, or a training --out directory (uses its best/)")
    Path model;

    @Option(names = "--audio", paramLabel = "FILE.npy", description = "one utterance: its audio features [frames, audio dim]")
    Path audio;

    @Option(names = "--visual", paramLabel = "FILE.npy", description = "one utterance: its visual features [frames, visual dim]")
    Path visual;

    @Option(names = "--media", arity = "1..*", paramLabel = "FILE", description = "media files (WAV, MP3, FLV, MP4, WebM, ...): "
            + "features extracted with the model's recorded front end")
    List<Path> media;

    @Option(names = "--manifest", paramLabel = "FILE", description = "a corpus: manifest CSV (FileName; Split_Set and labels optional)")
    Path manifest;

    @Option(names = "--features", paramLabel = "DIR", description = "a corpus: features DIR/audio/<stem>.npy, DIR/visual/<stem>.npy")
    Path features;

    @Option(names = "--split", paramLabel = "Train|Development|Test", description = "a corpus whose manifest has Split_Set: the rows to predict (default: Test)")
    String split;

    @Option(names = "--out", paramLabel = "FILE.csv", description = "a corpus: predictions CSV (written atomically; never one of "
            + "the inputs or a file in a checkpoint or run directory)")
    Path out;

    @Option(names = "--overwrite", description = "a corpus: replace an existing --out file")
    boolean overwrite;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (media != null) return predictMedia(o, err);
        if (oneUtterance()) {
            // Read the files before the model, so a bad one is reported before any device is opened.
            Features a = audio == null ? null : Npy.read(audio), v = visual == null ? null : Npy.read(visual);
            try (Backend be = device.open(err).backend()) {
                Predictor p = Predictor.load(model, be);
                // a modality the model has no trained head for is not checked here: the predictor ignores it, or refuses
                // an utterance that has nothing else, naming the head it does have
                if (p.heads().audio()) checkDim(audio, a, "audio", p.config().audioDim());
                if (p.heads().visual()) checkDim(visual, v, "visual", p.config().visualDim());
                o.println(JSON.writeValueAsString(toJson(p.predict(a, v), p.labels())));
            }
        } else {
            Path target = OutputGuard.check("--out", out, overwrite, OutputGuard.input("--model", model),
                    OutputGuard.input("--manifest", manifest), OutputGuard.input("--features", features));
            Manifest m = Manifest.read(manifest, List.of(), Manifest.Mode.PREDICTION);
            List<ManifestRow> rows = rowsToPredict(m);
            try (Backend be = device.open(err).backend()) {
                Predictor p = Predictor.load(model, be);
                String which = m.hasSplits() ? rows.getFirst().split().label + " rows" : "rows";
                Corpus c = CorpusOptions.loadFeatures(p, manifest, rows, which, features, err);
                writeCsv(p, c.utterances(), target, o, err);
            }
        }
        o.flush();
        return 0;
    }

    /** One JSON line per media file; a file that fails is one line on stderr and exit code 1, the rest go on. */
    private int predictMedia(PrintWriter o, PrintWriter err) throws IOException {
        String other = audio != null ? "--audio" : visual != null ? "--visual" : manifest != null ? "--manifest" : features != null ? "--features"
                : out != null ? "--out" : split != null ? "--split" : overwrite ? "--overwrite" : null;
        if (other != null) throw new UsageException("--media predicts media files; " + other + " belongs to another form of predict");
        int failed = 0;
        try (Backend be = device.open(err).backend()) {
            Predictor p = Predictor.load(model, be);
            try (MediaPredictor mp = MediaPredictor.open(p)) {
                for (Path f : media) {
                    MediaPrediction r;
                    try {
                        r = mp.predict(f);
                    } catch (dev.vavl4j.media.MediaUnavailableException e) {
                        throw e;   // the same for every file: one line and exit 2
                    } catch (dev.vavl4j.InvalidInputException e) {
                        err.println("failed: " + e.getMessage());
                        failed++;
                        continue;
                    }
                    ObjectNode j = JSON.createObjectNode();
                    j.put("file", f.toString());
                    j.setAll(toJson(r.prediction(), p.labels()));
                    ClipFeatures c = r.features();
                    j.put("audio_frames", c.audio() == null ? 0 : c.audio().frames());
                    j.put("visual_frames", c.visual() == null ? 0 : c.visual().frames());
                    if (c.audio() == null && mp.usesAudio()) j.put("no_audio", c.audioNote());
                    if (c.visual() == null && mp.usesVisual()) j.put("no_visual", c.visualNote());
                    o.println(JSON.writeValueAsString(j));
                    o.flush();
                }
            }
        }
        o.flush();
        return failed == 0 ? 0 : 1;
    }

    /**
     * Which form was asked for: one utterance (true) or a corpus (false). Mixing them, giving neither, or a
     * corpus without all three of its options is a usage error.
     */
    private boolean oneUtterance() {
        String one = audio != null ? "--audio" : visual != null ? "--visual" : null;
        String corpus = manifest != null ? "--manifest" : features != null ? "--features" : out != null ? "--out"
                : split != null ? "--split" : overwrite ? "--overwrite" : null;
        if (one != null && corpus != null) {
            throw new UsageException(one + " predicts one utterance and " + corpus + " belongs to a corpus; give --audio "
                    + "and/or --visual, or --manifest, --features and --out, not both");
        }
        if (one == null && corpus == null) {
            throw new UsageException("nothing to predict: give --audio and/or --visual (one utterance), or --manifest, "
                    + "--features and --out (a corpus)");
        }
        if (one != null) return true;
        List<String> missing = new ArrayList<>();
        if (manifest == null) missing.add("--manifest");
        if (features == null) missing.add("--features");
        if (out == null) missing.add("--out");
        if (!missing.isEmpty()) {
            throw new UsageException("a corpus needs --manifest, --features and --out; missing " + String.join(" and ", missing));
        }
        return false;
    }

    /** A manifest with Split_Set: the rows of --split (default Test); without: every row, and --split is an error. */
    private List<ManifestRow> rowsToPredict(Manifest m) {
        if (!m.hasSplits()) {
            if (split != null) {
                throw new UsageException("--split " + split + ": " + manifest + " has no Split_Set column; leave out --split "
                        + "to predict every row");
            }
            return m.rows();
        }
        Split s = Split.parse(split == null ? Split.TEST.label : split, "--split");
        List<ManifestRow> rows = m.rows(s);
        if (rows.isEmpty()) throw new DataException(manifest + ": no rows with Split_Set " + s.label);
        return rows;
    }

    private static void checkDim(Path file, Features f, String modality, int dim) {
        if (f != null && f.dim() != dim) {
            throw new DataException(file + ": " + modality + " features have dim " + f.dim() + ", the model expects " + dim);
        }
    }

    /** {"modality", "prediction", "scores": {label: score}, "by_source": {source: {label: score}}}. */
    static ObjectNode toJson(Prediction pr, List<String> labels) {
        ObjectNode j = JSON.createObjectNode();
        j.put("modality", pr.used().key);
        j.put("prediction", pr.answer());
        j.set("scores", scores(labels, pr.scores()));
        ObjectNode by = j.putObject("by_source");
        for (Source s : Source.values()) {
            if (pr.bySource().containsKey(s)) by.set(s.key, scores(labels, pr.bySource().get(s)));
        }
        return j;
    }

    private static ObjectNode scores(List<String> labels, double[] values) {
        ObjectNode n = JSON.createObjectNode();
        for (int i = 0; i < values.length; i++) n.put(labels.get(i), values[i]);
        return n;
    }

    /** Writes the predictions to {@code target}, the checked, resolved --out. */
    private void writeCsv(Predictor p, List<Utterance> utts, Path target, PrintWriter o, PrintWriter err) throws IOException {
        AtomicInteger done = new AtomicInteger();
        List<Prediction> preds;
        try (Progress bar = Progress.start(err, "predict", utts.size(), "utt")) {
            preds = p.predictUtterances(utts, n -> bar.stepTo(done.addAndGet(n)));
        }
        List<String> header = new ArrayList<>(List.of("FileName", "modality", "prediction"));
        header.addAll(p.labels());
        AtomicFiles.write(target, os -> {
            var w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
            try (CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get())) {
                for (int i = 0; i < utts.size(); i++) {
                    Prediction pr = preds.get(i);
                    List<String> row = new ArrayList<>(List.of(utts.get(i).row().fileName(), pr.used().key, pr.answer()));
                    for (double s : pr.scores()) row.add(String.format(Locale.ROOT, "%.6g", s));
                    csv.printRecord(row);
                }
            }
        });
        long fusion = preds.stream().filter(x -> x.used() == Source.FUSION).count();
        o.printf("wrote %d predictions to %s (%d fused, %d from one modality)%n", preds.size(), out, fusion, preds.size() - fusion);
    }
}
