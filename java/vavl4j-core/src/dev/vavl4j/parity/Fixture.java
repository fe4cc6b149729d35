package dev.vavl4j.parity;

import dev.vavl4j.io.FormatException;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.SafeTensors;
import dev.vavl4j.model.Batch;
import dev.vavl4j.ConfigException;
import dev.vavl4j.model.SequenceBatch;
import dev.vavl4j.model.VavlConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A parity fixture (shared/fixtures/README.md): config.json, weights.safetensors, batch.safetensors and,
 * when present, expected.safetensors. Loading validates the batch against the config and names the file,
 * tensor and value of anything wrong.
 */
public record Fixture(String name, VavlConfig config, Map<String, HostTensor> weights, String weightsSource,
                      Batch batch, Map<String, HostTensor> expected) {

    public static final String[] BUNDLED = {"tiny-classification", "tiny-regression"};
    private static final String RESOURCE_ROOT = "/dev/vavl4j/fixtures/";

    public static Fixture load(Path dir) {
        if (!Files.isDirectory(dir)) throw new FormatException(dir + ": not a fixture directory");
        VavlConfig cfg = VavlConfig.load(dir.resolve("config.json"));
        Path w = dir.resolve("weights.safetensors"), b = dir.resolve("batch.safetensors"), e = dir.resolve("expected.safetensors");
        Map<String, HostTensor> expected = Files.exists(e) ? SafeTensors.read(e) : null;
        return new Fixture(dir.toString(), cfg, SafeTensors.read(w), w.toString(),
                parseBatch(b.toString(), SafeTensors.read(b), cfg), expected);
    }

    /** A fixture shipped inside the jar. */
    public static Fixture bundled(String name) {
        String base = RESOURCE_ROOT + name + "/";
        try {
            VavlConfig cfg = VavlConfig.fromJson(new String(resource(base + "config.json"), StandardCharsets.UTF_8),
                    base + "config.json");
            return new Fixture(name, cfg, SafeTensors.parse(base + "weights.safetensors", resource(base + "weights.safetensors")),
                    base + "weights.safetensors",
                    parseBatch(base + "batch.safetensors", SafeTensors.parse(base + "batch.safetensors", resource(base + "batch.safetensors")), cfg),
                    SafeTensors.parse(base + "expected.safetensors", resource(base + "expected.safetensors")));
        } catch (IOException ex) {
            throw new FormatException("bundled fixture " + name + ": " + ex.getMessage(), ex);
        }
    }

    private static byte[] resource(String path) throws IOException {
        try (InputStream in = Fixture.class.getResourceAsStream(path)) {
            if (in == null) throw new FormatException("bundled fixture file missing from the jar: " + path);
            return in.readAllBytes();
        }
    }

    /** Validates batch.safetensors against the config (spec §2) and builds the batch. */
    static Batch parseBatch(String src, Map<String, HostTensor> t, VavlConfig cfg) {
        HostTensor audio = need(src, t, "audio", 3), visual = need(src, t, "visual", 3);
        HostTensor labels = need(src, t, "labels", 2);
        for (String n : new String[] {"audio", "visual", "labels"}) {
            if (!t.get(n).dtype().isFloat()) {
                throw new FormatException(src + ": tensor '" + n + "' has dtype " + t.get(n).dtype() + ", expected F32 or F64");
            }
        }
        int B = audio.shape()[0];
        if (B < 1) throw new FormatException(src + ": tensor 'audio' has an empty batch dimension");
        checkDim(src, "audio", audio, 0, B);
        checkDim(src, "audio", audio, 2, cfg.audioDim());
        checkDim(src, "visual", visual, 0, B);
        checkDim(src, "visual", visual, 2, cfg.visualDim());
        checkDim(src, "labels", labels, 0, B);
        checkDim(src, "labels", labels, 1, cfg.outputs());
        int[] hasA = flags(src, t, "has_audio", B), hasV = flags(src, t, "has_visual", B);
        int[] la = lengths(src, t, "audio_len", B, audio.shape()[1], hasA);
        int[] lv = lengths(src, t, "visual_len", B, visual.shape()[1], hasV);
        finiteValid(src, "audio", audio, la, hasA);
        finiteValid(src, "visual", visual, lv, hasV);
        float[] y = labels.floats();
        for (int i = 0; i < y.length; i++) {
            if (!Float.isFinite(y[i])) {
                throw new FormatException(src + ": tensor 'labels' holds " + y[i] + " at sample " + i / cfg.outputs()
                        + ", column " + i % cfg.outputs());
            }
        }
        boolean[] ha = new boolean[B], hv = new boolean[B];
        for (int b = 0; b < B; b++) {
            ha[b] = hasA[b] != 0;
            hv[b] = hasV[b] != 0;
        }
        return new Batch(new SequenceBatch(audio.floats(), la, audio.shape()[1], cfg.audioDim()),
                new SequenceBatch(visual.floats(), lv, visual.shape()[1], cfg.visualDim()), ha, hv, y, cfg.outputs());
    }

    private static HostTensor need(String src, Map<String, HostTensor> t, String name, int rank) {
        HostTensor x = t.get(name);
        if (x == null) throw new FormatException(src + ": missing tensor '" + name + "'");
        if (x.shape().length != rank) {
            throw new FormatException(src + ": tensor '" + name + "' has shape " + x.shapeString() + ", expected rank " + rank);
        }
        return x;
    }

    private static void checkDim(String src, String name, HostTensor x, int axis, int want) {
        if (x.shape()[axis] != want) {
            throw new FormatException(src + ": tensor '" + name + "' has shape " + x.shapeString() + ", dimension " + axis
                    + " should be " + want);
        }
    }

    private static int[] flags(String src, Map<String, HostTensor> t, String name, int B) {
        HostTensor x = need(src, t, name, 1);
        checkDim(src, name, x, 0, B);
        int[] v;
        try {
            v = x.asInts();
        } catch (IllegalArgumentException e) {
            throw new FormatException(src + ": tensor '" + name + "': " + e.getMessage() + " (expected 0 or 1)");
        }
        for (int b = 0; b < B; b++) {
            if (v[b] != 0 && v[b] != 1) throw new FormatException(src + ": tensor '" + name + "' holds " + v[b] + " at sample " + b + " (expected 0 or 1)");
        }
        return v;
    }

    /** Lengths of present samples must be in [1, T]; an absent sample's length is ignored (set to 1). */
    private static int[] lengths(String src, Map<String, HostTensor> t, String name, int B, int T, int[] has) {
        HostTensor x = need(src, t, name, 1);
        checkDim(src, name, x, 0, B);
        int[] v;
        try {
            v = x.asInts().clone();
        } catch (IllegalArgumentException e) {
            throw new FormatException(src + ": tensor '" + name + "': " + e.getMessage());
        }
        for (int b = 0; b < B; b++) {
            if (has[b] == 0) {
                v[b] = Math.max(1, Math.min(T, v[b]));
            } else if (v[b] < 1 || v[b] > T) {
                throw new FormatException(src + ": tensor '" + name + "' holds " + v[b] + " at sample " + b + ", outside [1, " + T + "]");
            }
        }
        return v;
    }

    /** Valid frames of present samples must be finite; padded frames may hold anything (spec §9). */
    private static void finiteValid(String src, String name, HostTensor x, int[] len, int[] has) {
        int T = x.shape()[1], D = x.shape()[2];
        float[] v = x.floats();
        for (int b = 0; b < len.length; b++) {
            if (has[b] == 0) continue;
            for (int i = b * T * D; i < (b * T + len[b]) * D; i++) {
                if (!Float.isFinite(v[i])) {
                    int r = i - b * T * D;
                    throw new FormatException(src + ": tensor '" + name + "' holds " + v[i] + " at sample " + b + ", frame "
                            + r / D + ", feature " + r % D + " (a valid frame)");
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Fixture[" + name + ", B=" + batch.size() + ", config=" + Arrays.toString(new int[] {config.modelDim(), config.heads()}) + "]";
    }
}
