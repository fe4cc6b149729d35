package dev.vavl4j.data;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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
 *
 * <p><b>Paths stay inside the features directory.</b> Every feature path is resolved, links followed, and
 * must then lie inside the real path of the features directory; otherwise the row is refused with a
 * {@link DataException} naming the manifest and line ({@link ManifestRow#where()}). This holds for a
 * FileName with {@code ..} or an absolute path (which {@link Manifest} already refuses) and equally for a
 * link: a link inside the features directory that points outside it (including {@code audio/} or
 * {@code visual/} themselves) is refused, not followed, so a corpus assembled from links must be assembled
 * under one directory that holds the targets too. Nothing outside is read or even probed for: the directory
 * holding a file is resolved and checked before the file is looked up. A link that cannot be resolved (a
 * loop, or a target that does not exist) is an error naming it, not a missing modality.
 */
public record Corpus(List<Utterance> utterances, int audioDim, int visualDim, List<String> skipped) {

    public Corpus {
        utterances = List.copyOf(utterances);
        skipped = List.copyOf(skipped);
    }

    /**
     * The file beside {@code audio/} and {@code visual/} in a features directory that records the front end
     * that made them (written by vavl4j-media's {@code vavl features}); training copies it into the checkpoint
     * ({@link dev.vavl4j.checkpoint.Checkpoint#frontEndJson}). Optional: features made elsewhere have none.
     */
    public static final String FRONT_END_RECORD = "frontend.json";

    /**
     * Loads the features of {@code rows}. {@code expectedAudioDim}/{@code expectedVisualDim} are the sizes a
     * trained model needs, or 0 to take them from the files; every file of a modality must agree (else a
     * {@link DataException} naming the file, its dim and the expected one). {@code maxFrames > 0} keeps the
     * first maxFrames frames of each sequence. {@code onRowDone} is called once per row (progress).
     * A missing features directory is an error naming it. See the class comment for which paths are refused.
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
        Path realFeatures;
        try {
            realFeatures = featuresDir.toRealPath();
        } catch (IOException e) {
            throw new DataException(featuresDir + ": features directory cannot be resolved (" + reason(e) + ")", e);
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
                    ManifestRow row = rows.get(i);
                    loaded[i] = new Loaded(readOptional(row, "audio", audioDir, featuresDir, realFeatures, maxFrames),
                            readOptional(row, "visual", visualDir, featuresDir, realFeatures, maxFrames), null);
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

    /**
     * The features of {@code row} under {@code modalityDir}, capped, or null when there is no such file (the
     * modality is missing). Refuses, naming the row, a path that leaves the features directory before or
     * after following links, and a link that cannot be resolved.
     */
    private static Features readOptional(ManifestRow row, String modality, Path modalityDir, Path featuresDir,
                                         Path realFeatures, int maxFrames) {
        String fileNameShown = Manifest.shown(row.fileName());
        Path file;
        try {
            file = modalityDir.resolve(row.stem() + ".npy");
        } catch (InvalidPathException e) {
            throw new DataException(row.where() + ": FileName '" + fileNameShown + "' is not a valid path (" + e.getReason() + ")");
        }
        if (!file.normalize().startsWith(modalityDir.normalize())) {
            throw new DataException(row.where() + ": FileName '" + fileNameShown + "' leads outside " + modalityDir
                    + " (" + modality + " file " + file + ")");
        }
        // The directory holding the file first: if it (or a link on the way) leads outside, nothing there is probed.
        Path parent = file.getParent(), realParent;
        try {
            realParent = parent.toRealPath();
        } catch (NoSuchFileException e) {
            for (Path a = parent; a != null && a.startsWith(featuresDir) && !a.equals(featuresDir); a = a.getParent()) {
                if (Files.isSymbolicLink(a) && !Files.exists(a)) {
                    throw new DataException(row.where() + ": " + a + " is a link that cannot be resolved (" + unresolved(a) + ")");
                }
            }
            return null;   // no such directory: the modality is missing
        } catch (IOException e) {
            throw new DataException(row.where() + ": " + parent + " cannot be resolved (" + reason(e) + ")", e);
        }
        if (!realParent.startsWith(realFeatures)) throw outside(row, parent, realParent, realFeatures);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;   // the modality is missing
        } catch (IOException e) {
            throw new DataException(row.where() + ": " + file + " cannot be read (" + reason(e) + ")", e);
        }
        Path real = realParent.resolve(file.getFileName());
        if (attrs.isSymbolicLink()) {
            try {
                real = file.toRealPath();
            } catch (IOException e) {
                throw new DataException(row.where() + ": " + file + " is a link that cannot be resolved (" + unresolved(file) + ")", e);
            }
            if (!real.startsWith(realFeatures)) throw outside(row, file, real, realFeatures);
        }
        if (!Files.isRegularFile(real)) throw new DataException(file + ": not a regular file");
        Features f = Npy.read(real, file.toString());
        return maxFrames > 0 ? f.capped(maxFrames) : f;
    }

    private static DataException outside(ManifestRow row, Path path, Path real, Path realFeatures) {
        return new DataException(row.where() + ": " + path + " resolves to " + real + ", outside the features directory "
                + realFeatures + " (links must stay inside it)");
    }

    /** Why the link {@code p} cannot be resolved: a loop, or a target that does not exist. */
    private static String unresolved(Path p) {
        try {
            p.toRealPath();
            return "it resolves now; it changed while being read";
        } catch (NoSuchFileException e) {
            return "its target does not exist";
        } catch (IOException e) {
            return reason(e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
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
