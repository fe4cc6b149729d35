package dev.vavl4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small builders shared by the data tests. */
final class TestData {
    private TestData() {}

    static ManifestRow row(int line, String stem, Split split, double... labels) {
        return new ManifestRow(line, stem + ".wav", stem, split, null, labels);
    }

    /** [frames, dim] with value(t, d) = seed + t + d / 100. */
    static Features features(int frames, int dim, float seed) {
        float[] v = new float[frames * dim];
        for (int t = 0; t < frames; t++) {
            for (int d = 0; d < dim; d++) v[t * dim + d] = seed + t + d / 100f;
        }
        return new Features(v, frames, dim);
    }

    static Utterance utt(int line, int audioFrames, int visualFrames, int audioDim, int visualDim) {
        return new Utterance(row(line, "u" + line, Split.TRAIN),
                audioFrames > 0 ? features(audioFrames, audioDim, line) : null,
                visualFrames > 0 ? features(visualFrames, visualDim, -line) : null);
    }

    static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a fixture from the test resources (dev/vavl4j/data/...) to a real file. */
    static Path resource(String name, Path dir) {
        try (var in = TestData.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("no test resource " + name);
            return write(dir.resolve(Path.of(name).getFileName().toString()), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
