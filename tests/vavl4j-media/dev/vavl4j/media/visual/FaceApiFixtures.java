package dev.vavl4j.media.visual;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vavl4j.media.RgbFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * The committed inputs and face-api outputs of the reference check ({@code tests/vavl4j-media/resources/visual/},
 * README there), and the FFmpeg command that decoded the CREMA-D clips they come from.
 */
final class FaceApiFixtures {
    static final String DIR = "visual/";
    /** The six CREMA-D video clips, as files from the repository root (the tests' working directory). */
    static final Path CLIPS = Path.of("tests/vavl4j-media/resources/crema-d/data");
    static final String[] CLIP_NAMES = {
            "1001_DFA_ANG_XX", "1001_DFA_DIS_XX", "1001_DFA_FEA_XX", "1001_DFA_HAP_XX", "1001_DFA_NEU_XX", "1001_DFA_SAD_XX"};
    /** Every 10th frame of each clip is compared. */
    static final int FRAME_STEP = 10;
    static final ObjectMapper JSON = new ObjectMapper();

    private FaceApiFixtures() {}

    static byte[] resource(String name) {
        try (InputStream in = FaceApiFixtures.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("test resource " + name + " is missing");
            byte[] b = in.readAllBytes();
            return name.endsWith(".gz") ? new GZIPInputStream(new java.io.ByteArrayInputStream(b)).readAllBytes() : b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String name) {
        try {
            return JSON.readTree(resource(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every frame of {@code clip} as 8-bit RGB, decoded by the ffmpeg program of org.bytedeco:ffmpeg (on the
     * test class path) with {@code -f rawvideo -pix_fmt rgb24}: the command the committed frames came from.
     * Skips the calling test when the program cannot be loaded or run here.
     */
    static List<RgbFrame> decode(String clip, int width, int height) {
        String ffmpeg;
        try {
            ffmpeg = org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
        } catch (Throwable e) {
            Assumptions.abort("the ffmpeg program of org.bytedeco:ffmpeg cannot be loaded here: " + e);
            return List.of();
        }
        Path file = CLIPS.resolve(clip + ".flv");
        byte[] all;
        try {
            Process p = new ProcessBuilder(ffmpeg, "-v", "error", "-i", file.toString(), "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.getInputStream().transferTo(out);
            if (p.waitFor() != 0) Assumptions.abort("ffmpeg failed on " + file + " (exit " + p.exitValue() + ")");
            all = out.toByteArray();
        } catch (IOException e) {
            Assumptions.abort("ffmpeg cannot be run here: " + e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        int size = width * height * 3;
        if (all.length % size != 0) throw new IllegalStateException(file + ": " + all.length + " bytes is not a whole number of " + width + "x" + height + " frames");
        List<RgbFrame> frames = new ArrayList<>();
        for (int i = 0; i < all.length / size; i++) {
            frames.add(new RgbFrame(width, height, java.util.Arrays.copyOfRange(all, i * size, (i + 1) * size), i / 29.97));
        }
        return frames;
    }

    static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
