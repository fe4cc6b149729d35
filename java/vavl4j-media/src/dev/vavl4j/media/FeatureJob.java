package dev.vavl4j.media;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.InvalidInputException;
import dev.vavl4j.VavlException;
import dev.vavl4j.data.Features;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Npy;
import dev.vavl4j.io.AtomicFiles;
import dev.vavl4j.io.JsonFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The features job ({@code vavl features}): for every manifest row, find its media file ({@link MediaFiles}),
 * extract ({@link ClipExtractor}) and write the layout training reads:
 * <pre>
 * OUT/frontend.json           what made the features ({@link FrontEndRecord}); training copies it into the checkpoint
 * OUT/audio/&lt;stem&gt;.npy        float32 [frames, audio dim]
 * OUT/visual/&lt;stem&gt;.npy       float32 [frames, visual dim] (absent: no video, or no face in any frame)
 * OUT/done/&lt;stem&gt;.json        written last for each clip: a clip with one is skipped by a re-run
 * OUT/features-summary.json   counts, the files that failed (with the reason) and the clips without a modality
 * </pre>
 * Clips run in parallel, each on one thread. A file that cannot be used (missing, unreadable, not decodable)
 * is one failure naming it; the job goes on and the summary lists it. Every file is written atomically, so an
 * interrupted job leaves whole files only and a re-run picks up where it stopped. A folder that holds features
 * of another front end is refused: features of two front ends must never mix.
 */
public final class FeatureJob {
    public static final String SUMMARY = "features-summary.json", DONE = "done";
    private static final ObjectMapper JSON = JsonFiles.strictMapper(ObjectMapper.class).enable(SerializationFeature.INDENT_OUTPUT);

    /** Progress, called from worker threads. */
    public interface Listener {
        default void onStart(int clips, int alreadyDone) {}

        default void onClip(int done, int clips) {}
    }

    public record Failure(String fileName, String message) {}

    /** A clip whose features lack a modality the front ends asked for, and why. */
    public record Missing(String fileName, String modality, String reason) {}

    /**
     * @param extracted clips extracted by this run
     * @param skipped   clips already done by an earlier run
     */
    public record Result(int extracted, int skipped, List<Failure> failures, List<Missing> missing, Path summary) {}

    private final ClipExtractor extractor;
    private final FrontEndRecord record;
    private final int threads;

    /**
     * @param record what {@code extractor} is ({@link FrontEndRecord} with its specs and infos)
     */
    public FeatureJob(ClipExtractor extractor, FrontEndRecord record, int threads) {
        this.extractor = Objects.requireNonNull(extractor, "extractor");
        this.record = Objects.requireNonNull(record, "record");
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        this.threads = threads;
    }

    public Result run(List<ManifestRow> rows, Path mediaDir, Path out, Listener l) throws IOException {
        if (!Files.isDirectory(mediaDir)) throw new InvalidInputException(mediaDir + ": no such media directory");
        claim(out);
        List<ManifestRow> todo = new ArrayList<>();
        List<Missing> missing = new ArrayList<>();
        for (ManifestRow r : rows) {
            if (Files.exists(doneFile(out, r))) missing.addAll(missingRecorded(doneFile(out, r), r));
            else todo.add(r);
        }
        int skipped = rows.size() - todo.size();
        l.onStart(rows.size(), skipped);
        AtomicInteger done = new AtomicInteger(skipped);
        List<Failure> failures = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vavl-features");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (ManifestRow r : todo) futures.add(pool.submit(() -> one(r, mediaDir, out, l, done, rows.size())));
            for (Future<Outcome> f : futures) {
                Outcome o = get(f);
                if (o.failure != null) failures.add(o.failure);
                missing.addAll(o.missing);
            }
        } finally {
            pool.shutdownNow();
        }
        Path summary = out.resolve(SUMMARY);
        writeSummary(summary, rows.size(), todo.size() - failures.size(), skipped, failures, missing);
        return new Result(todo.size() - failures.size(), skipped, List.copyOf(failures), List.copyOf(missing), summary);
    }

    private record Outcome(Failure failure, List<Missing> missing) {}

    private Outcome one(ManifestRow r, Path mediaDir, Path out, Listener l, AtomicInteger done, int total) throws IOException {
        try {
            Path file = MediaFiles.find(mediaDir, r);
            if (file == null) {
                return new Outcome(new Failure(r.fileName(), mediaDir + ": no media file for " + r.fileName() + " (" + r.where()
                        + "; looked for " + r.stem() + ".{" + String.join(",", MediaFiles.VIDEO) + "," + String.join(",", MediaFiles.AUDIO) + "})"), List.of());
            }
            ClipFeatures c = extractor.extract(file, file.toString());
            List<Missing> missing = new ArrayList<>();
            if (record.audio() != null && c.audio() == null) missing.add(new Missing(r.fileName(), "audio", c.audioNote()));
            if (record.visual() != null && c.visual() == null) missing.add(new Missing(r.fileName(), "visual", c.visualNote()));
            if (c.audio() == null && c.visual() == null) {
                return new Outcome(new Failure(r.fileName(), file + ": no features (" + String.join("; ",
                        missing.stream().map(m -> m.modality() + ": " + m.reason()).toList()) + ")"), List.of());
            }
            if (c.audio() != null) Npy.write(out.resolve("audio").resolve(r.stem() + ".npy"), c.audio());
            if (c.visual() != null) Npy.write(out.resolve("visual").resolve(r.stem() + ".npy"), c.visual());
            writeDone(doneFile(out, r), file, c, missing);
            return new Outcome(null, missing);
        } catch (VavlException | UncheckedIOException e) {
            return new Outcome(new Failure(r.fileName(), e.getMessage()), List.of());
        } finally {
            l.onClip(done.incrementAndGet(), total);
        }
    }

    private static <T> T get(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Makes {@code out} this job's: a new or empty folder gets the record; a folder with the same record is
     * resumed; one with another record, or with features but no record, is refused.
     */
    private void claim(Path out) throws IOException {
        if (Files.isRegularFile(out)) throw new InvalidInputException(out + ": is a file; --out names the features folder");
        FrontEndRecord had = Files.isDirectory(out) ? FrontEndRecord.read(out) : null;
        if (had != null) {
            if (!same(had.audio(), record.audio()) || !same(had.visual(), record.visual())) {
                throw new InvalidInputException(out + ": holds features of another front end (" + describe(had) + "; asked for "
                        + describe(record) + "); give another --out, or delete it");
            }
            return;
        }
        if (Files.isDirectory(out) && (Files.exists(out.resolve("audio")) || Files.exists(out.resolve("visual")))) {
            throw new InvalidInputException(out + ": holds features without a " + dev.vavl4j.data.Corpus.FRONT_END_RECORD
                    + " (made elsewhere); give another --out");
        }
        Files.createDirectories(out);
        record.write(out);
    }

    private static boolean same(FrontEndRecord.Entry a, FrontEndRecord.Entry b) {
        return a == null ? b == null : b != null && a.info().equals(b.info());
    }

    static String describe(FrontEndRecord r) {
        return "audio " + (r.audio() == null ? "none" : r.audio().info().name()) + ", visual " + (r.visual() == null ? "none" : r.visual().info().name()
                + " at fps " + r.visual().info().settings().getOrDefault("fps", "?"));
    }

    private static Path doneFile(Path out, ManifestRow r) {
        return out.resolve(DONE).resolve(r.stem() + ".json");
    }

    private static void writeDone(Path file, Path media, ClipFeatures c, List<Missing> missing) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("media", media.toString());
        putFrames(o, "audio_frames", c.audio());
        putFrames(o, "visual_frames", c.visual());
        o.put("video_frames_seen", c.framesSeen());
        o.put("video_frames_with_face_detected", c.framesDetected());
        ObjectNode m = o.putObject("missing");
        for (Missing x : missing) m.put(x.modality(), x.reason());
        write(file, o);
    }

    /** The modalities an earlier run found missing for a clip it finished (so a re-run's summary still lists them). */
    private static List<Missing> missingRecorded(Path done, ManifestRow r) {
        try {
            var node = JSON.readTree(JsonFiles.readObjectText(done, InvalidInputException::new)).path("missing");
            List<Missing> out = new ArrayList<>();
            for (var it = node.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                out.add(new Missing(r.fileName(), e.getKey(), e.getValue().asText()));
            }
            return out;
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(done + ": not valid JSON (" + JsonFiles.describe(e) + "); delete it to extract the clip again");
        }
    }

    private static void putFrames(ObjectNode o, String key, Features f) {
        if (f == null) o.putNull(key);
        else o.put(key, f.frames());
    }

    private static void writeSummary(Path file, int clips, int extracted, int skipped, List<Failure> failures, List<Missing> missing) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("clips", clips);
        o.put("extracted", extracted);
        o.put("skipped_already_done", skipped);
        ArrayNode f = o.putArray("failed");
        for (Failure x : failures) f.addObject().put("FileName", x.fileName()).put("error", x.message());
        ArrayNode m = o.putArray("missing_modality");
        for (Missing x : missing) m.addObject().put("FileName", x.fileName()).put("modality", x.modality()).put("reason", x.reason());
        write(file, o);
    }

    private static void write(Path file, ObjectNode o) throws IOException {
        byte[] bytes;
        try {
            bytes = (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.write(file, out -> out.write(bytes));
    }
}
