package dev.vavl4j.demo;

import dev.vavl4j.data.Features;
import dev.vavl4j.data.Npy;
import dev.vavl4j.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * A generated (synthetic, not recorded) corpus in the layout the trainer reads: {@code manifest.csv} and
 * {@code features/{audio,visual}/<stem>.npy}. Four emotions on a 2×2 grid — arousal (angry, happy high;
 * neutral, sad low) × valence (happy, neutral positive; angry, sad negative). The audio frames carry
 * arousal clearly and valence faintly, the visual frames the reverse, so each modality alone confuses one
 * pair of classes and only fusion separates all four. Evidence sits in a random stretch of each utterance
 * under frame noise and a per-speaker offset; lengths vary; about {@value #UNIMODAL_PERCENT}% of training
 * utterances have one modality only. Everything follows from the seed.
 */
public final class DemoCorpus {
    public static final List<String> LABELS = List.of("angry", "happy", "neutral", "sad");
    public static final int AUDIO_DIM = 20, VISUAL_DIM = 12, UNIMODAL_PERCENT = 20;
    /** Speakers per split: utterances of a speaker never cross splits (speaker-independent, as in the paper). */
    static final int TRAIN_SPEAKERS = 16, DEV_SPEAKERS = 4, TEST_SPEAKERS = 4, PER_SPEAKER = 40;
    private static final int[] AROUSAL = {1, 1, -1, -1}, VALENCE = {-1, 1, 1, -1};

    private DemoCorpus() {}

    public record Summary(Path manifest, Path features, int train, int trainUnimodal, int dev, int test) {}

    public static Summary generate(Path dir, long seed) throws IOException {
        return generate(dir, seed, PER_SPEAKER);
    }

    /** A corpus with {@code perSpeaker} utterances per speaker (tests use small ones). */
    public static Summary generate(Path dir, long seed, int perSpeaker) throws IOException {
        Path features = dir.resolve("features"), manifest = dir.resolve("manifest.csv");
        Files.createDirectories(features.resolve("audio"));
        Files.createDirectories(features.resolve("visual"));
        SplittableRandom rnd = new SplittableRandom(seed);
        List<List<String>> rows = new ArrayList<>();
        int[] counts = new int[4];
        int speakers = TRAIN_SPEAKERS + DEV_SPEAKERS + TEST_SPEAKERS;
        for (int s = 0; s < speakers; s++) {
            String split = s < TRAIN_SPEAKERS ? "Train" : s < TRAIN_SPEAKERS + DEV_SPEAKERS ? "Development" : "Test";
            String speaker = "S" + (100 + s);
            float[] audioOffset = gaussian(rnd, AUDIO_DIM, 0.5), visualOffset = gaussian(rnd, VISUAL_DIM, 0.5);
            for (int u = 0; u < perSpeaker; u++) {
                int label = rnd.nextInt(LABELS.size());
                String stem = speaker + "_" + String.format(Locale.ROOT, "%03d", u) + "_" + LABELS.get(label).toUpperCase(Locale.ROOT);
                // a fifth of training utterances lose one modality: half audio, half visual
                boolean unimodal = split.equals("Train") && rnd.nextInt(100) < UNIMODAL_PERCENT;
                boolean audio = !unimodal || rnd.nextBoolean(), visual = !unimodal || !audio;
                if (audio) {
                    Npy.write(features.resolve("audio").resolve(stem + ".npy"),
                            frames(rnd, 20 + rnd.nextInt(41), AUDIO_DIM, audioOffset, AROUSAL[label], VALENCE[label]));
                }
                if (visual) {
                    Npy.write(features.resolve("visual").resolve(stem + ".npy"),
                            frames(rnd, 12 + rnd.nextInt(25), VISUAL_DIM, visualOffset, VALENCE[label], AROUSAL[label]));
                }
                rows.add(row(stem, label, speaker, split, rnd));
                counts[split.equals("Train") ? (unimodal ? 1 : 0) : split.equals("Development") ? 2 : 3]++;
            }
        }
        AtomicFiles.write(manifest, os -> {
            var w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
            List<String> header = new ArrayList<>(List.of("FileName"));
            header.addAll(LABELS);
            header.addAll(List.of("SpkrID", "Split_Set"));
            try (CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get())) {
                for (List<String> r : rows) csv.printRecord(r);
            }
        });
        return new Summary(manifest, features, counts[0] + counts[1], counts[1], counts[2], counts[3]);
    }

    /**
     * [T, D] frames: unit noise, the speaker's offset, and during a random stretch of 40–80% of the frames the
     * evidence: dims 0–3 carry the strong factor (±1.2), dims 4–5 the faint one (±0.35).
     */
    private static Features frames(SplittableRandom rnd, int T, int D, float[] offset, int strong, int faint) {
        float[] x = new float[T * D];
        int len = Math.max(2, (int) Math.round(T * (0.4 + 0.4 * rnd.nextDouble())));
        int start = rnd.nextInt(T - len + 1);
        for (int t = 0; t < T; t++) {
            boolean evidence = t >= start && t < start + len;
            for (int d = 0; d < D; d++) {
                double v = rnd.nextGaussian() + offset[d];
                if (evidence && d < 4) v += 1.2 * strong;
                if (evidence && d >= 4 && d < 6) v += 0.35 * faint;
                x[t * D + d] = (float) v;
            }
        }
        return new Features(x, T, D);
    }

    /** Soft scores as annotator agreement: most weight on the true class, the rest spread at random. */
    private static List<String> row(String stem, int label, String speaker, String split, SplittableRandom rnd) {
        double[] s = new double[LABELS.size()];
        double rest = 0;
        for (int c = 0; c < s.length; c++) rest += s[c] = c == label ? 0 : rnd.nextDouble();
        double main = 0.55 + 0.4 * rnd.nextDouble();
        List<String> r = new ArrayList<>(List.of(stem + ".wav"));
        for (int c = 0; c < s.length; c++) {
            double v = c == label ? main : (1 - main) * s[c] / rest;
            r.add(String.format(Locale.ROOT, "%.3f", v));
        }
        r.add(speaker);
        r.add(split);
        return r;
    }

    private static float[] gaussian(SplittableRandom rnd, int n, double sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (sd * rnd.nextGaussian());
        return v;
    }
}
