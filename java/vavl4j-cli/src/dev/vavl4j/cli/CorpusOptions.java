package dev.vavl4j.cli;

import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.DataException;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Split;
import dev.vavl4j.predict.Predictor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Option;

/** {@code --model --manifest --features --split}: a trained model and the utterances of one split to run it on. */
final class CorpusOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory, or a training --out directory (uses its best/)")
    Path model;

    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "manifest CSV")
    Path manifest;

    @Option(names = "--features", required = true, paramLabel = "DIR", description = "features: DIR/audio/<stem>.npy, DIR/visual/<stem>.npy")
    Path features;

    @Option(names = "--split", defaultValue = "Test", paramLabel = "Train|Development|Test", description = "which rows to use (default: ${DEFAULT-VALUE})")
    String split;

    /** The split's utterances with features (rows with neither modality are reported on stderr and skipped). */
    Corpus load(Predictor p, List<String> labelColumns, PrintWriter err) {
        Split s = Split.parse(split, "--split");
        Manifest m = Manifest.read(manifest, labelColumns);
        List<ManifestRow> rows = m.rows(s);
        if (rows.isEmpty()) throw new DataException(manifest + ": no rows with Split_Set " + s.label);
        return loadFeatures(p, manifest, rows, s.label + " rows", features, err);
    }

    /**
     * The features of {@code rows} of {@code manifest} ({@code which} names them in the error when none has
     * any, e.g. "Test rows"), with a progress bar; rows with neither modality are reported on stderr and skipped.
     */
    static Corpus loadFeatures(Predictor p, Path manifest, List<ManifestRow> rows, String which, Path features, PrintWriter err) {
        AtomicInteger done = new AtomicInteger();
        Corpus c;
        try (Progress bar = Progress.start(err, "features", rows.size(), "utt")) {
            c = Corpus.load(rows, features, p.config().audioDim(), p.config().visualDim(), p.maxFrames(),
                    n -> bar.stepTo(done.incrementAndGet()));
        }
        c.skipped().forEach(x -> err.println("warning: " + x));
        if (c.utterances().isEmpty()) throw new DataException(manifest + ": none of the " + rows.size() + " " + which + " has features under " + features);
        return c;
    }
}
