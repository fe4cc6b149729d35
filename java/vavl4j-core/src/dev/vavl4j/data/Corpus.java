package dev.vavl4j.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Utterances with their features from {@code <features>/audio/<stem>.npy} and
 * {@code <features>/visual/<stem>.npy}. A missing file means that utterance lacks the modality; a row with
 * neither is skipped and described in {@code skipped} (one line each, naming the manifest line and stem).
 * {@code audioDim}/{@code visualDim} are the feature sizes (0 when no file of that modality exists).
 */
public record Corpus(List<Utterance> utterances, int audioDim, int visualDim, List<String> skipped) {

    public Corpus {
        utterances = List.copyOf(utterances);
        skipped = List.copyOf(skipped);
    }

    /**
     * Loads the features of {@code rows}. {@code expectedAudioDim}/{@code expectedVisualDim} are the sizes a
     * trained model needs, or 0 to take them from the files; every file of a modality must agree (else a
     * {@link DataException} naming the file, its dim and the expected one). {@code maxFrames > 0} keeps the
     * first maxFrames frames of each sequence. {@code onRowDone} is called once per row (progress).
     * A missing features directory is an error naming it.
     *
     * <p>Files are read in parallel, but the result and the error reported are those of reading the rows
     * one by one in order: the first bad row (file error or dim mismatch) in row order is the one named.
     * {@code onRowDone} (may be null) receives the number of rows done so far; calls are serialised, so it
     * need not be thread-safe.
     */
    public static Corpus load(List<ManifestRow> rows, Path featuresDir, int expectedAudioDim, int expectedVisualDim,
                              int maxFrames, IntConsumer onRowDone) {
        if (!Files.isDirectory(featuresDir)) {
            throw new DataException(featuresDir + ": features directory not found"
                    + (Files.exists(featuresDir) ? " (it is not a directory)" : ""));
        }
        if (expectedAudioDim < 0 || expectedVisualDim < 0) {
            throw new IllegalArgumentException("expected dims must be ≥ 0, got " + expectedAudioDim + ", " + expectedVisualDim);
        }
        Path audioDir = featuresDir.resolve("audio"), visualDir = featuresDir.resolve("visual");
        int n = rows.size();
        Loaded[] loaded = new Loaded[n];
        // Rows after the first failure need not be read: the sequential pass below stops there.
        AtomicInteger firstFailure = new AtomicInteger(Integer.MAX_VALUE);
        Progress progress = new Progress(onRowDone);
        IntStream.range(0, n).parallel().forEach(i -> {
            if (i < firstFailure.get()) {
                try {
                    String stem = rows.get(i).stem();
                    loaded[i] = new Loaded(readOptional(audioDir.resolve(stem + ".npy"), maxFrames),
                            readOptional(visualDir.resolve(stem + ".npy"), maxFrames), null);
                } catch (DataException e) {
                    loaded[i] = new Loaded(null, null, e);
                    firstFailure.accumulateAndGet(i, Math::min);
                }
            }
            progress.done();
        });

        DimCheck audio = new DimCheck("audio", expectedAudioDim), visual = new DimCheck("visual", expectedVisualDim);
        List<Utterance> utterances = new ArrayList<>(n);
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Loaded l = loaded[i];
            if (l.error != null) throw l.error;
            ManifestRow row = rows.get(i);
            if (l.audio != null) audio.check(audioDir.resolve(row.stem() + ".npy"), l.audio);
            if (l.visual != null) visual.check(visualDir.resolve(row.stem() + ".npy"), l.visual);
            if (l.audio == null && l.visual == null) {
                skipped.add("line " + row.line() + ": " + row.stem() + " has neither audio nor visual features; skipped");
            } else {
                utterances.add(new Utterance(row, l.audio, l.visual));
            }
        }
        return new Corpus(utterances, audio.dim, visual.dim, skipped);
    }

    public List<Utterance> split(Split split) {
        return utterances.stream().filter(u -> u.row().split() == split).toList();
    }

    /** The features in {@code file}, capped, or null when there is no such file (the modality is missing). */
    private static Features readOptional(Path file, int maxFrames) {
        if (!Files.exists(file)) return null;
        if (!Files.isRegularFile(file)) throw new DataException(file + ": not a regular file");
        Features f = Npy.read(file);
        return maxFrames > 0 ? f.capped(maxFrames) : f;
    }

    private record Loaded(Features audio, Features visual, DataException error) {}

    /** One modality's dim: fixed by the model, or by the first file in row order; every file must agree. */
    private static final class DimCheck {
        private final String modality;
        private int dim;
        private String origin;

        DimCheck(String modality, int expected) {
            this.modality = modality;
            this.dim = expected;
            this.origin = "the model's " + modality + "_dim";
        }

        void check(Path file, Features f) {
            if (dim == 0) {
                dim = f.dim();
                origin = "the first " + modality + " file, " + file;
            } else if (f.dim() != dim) {
                throw new DataException(file + ": " + modality + " features have dim " + f.dim() + ", expected "
                        + dim + " (from " + origin + ")");
            }
        }
    }

    /** Counts finished rows and reports them one at a time, in increasing order. */
    private static final class Progress {
        private final IntConsumer sink;
        private int done;

        Progress(IntConsumer sink) {
            this.sink = sink;
        }

        synchronized void done() {
            done++;
            if (sink != null) sink.accept(done);
        }
    }
}
