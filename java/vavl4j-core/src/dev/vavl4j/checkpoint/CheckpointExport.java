package dev.vavl4j.checkpoint;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.HostTensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Writes an inference-only copy of a checkpoint: weights (float32, or rounded to float16 / bfloat16),
 * config.json, normalization.safetensors and checkpoint.json with the labels, frame cap and weights' dtype;
 * no optimizer state and no trainer state. The copy is written atomically ({@link CheckpointDirs}) and
 * loads with {@link Checkpoint#load} and {@link Checkpoint#loadForInference} like any checkpoint.
 */
public final class CheckpointExport {
    private CheckpointExport() {}

    /** What was written: the checkpoint read, the directory written, the weights' dtype, their count and file size. */
    public record Result(Path source, Path target, DType dtype, long weights, long modelBytes) {}

    /**
     * Exports the checkpoint at {@code dirOrRun} (or a run's {@code best/}) to {@code out}. An existing
     * {@code out} must be empty unless {@code overwrite}, and even then must be empty or a checkpoint, so a
     * mistyped path never replaces an unrelated directory; {@code out} may neither be the checkpoint nor
     * contain it nor lie inside it.
     */
    public static Result export(Path dirOrRun, Path out, DType dtype, boolean overwrite) throws IOException {
        if (!Checkpoint.WEIGHT_DTYPES.contains(dtype)) {
            throw new InvalidInputException("weights are exported as one of " + Checkpoint.WEIGHT_DTYPES + ", not " + dtype);
        }
        Path source = Checkpoint.resolve(dirOrRun);
        Path sourceReal = source.toRealPath(), outReal = dev.vavl4j.io.RealPaths.resolve(out);
        if (outReal.startsWith(sourceReal) || sourceReal.startsWith(outReal)) {
            throw new InvalidInputException(out + ": is or overlaps the checkpoint being exported (" + source
                    + "); the export never writes onto its input, choose another directory");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) throw new InvalidInputException(out + ": is a file, not a directory");
        if (Files.isDirectory(out) && !isEmpty(out)) {
            if (!overwrite) throw new InvalidInputException(out + ": exists and is not empty (pass --overwrite to replace it)");
            if (!Files.isRegularFile(out.resolve(Checkpoint.META))) {
                throw new InvalidInputException(out + ": is not empty and not a checkpoint, so it is not replaced even with --overwrite");
            }
        }
        Checkpoint ck = Checkpoint.loadForInference(source);
        ck.save(out, dtype);
        long n = 0;
        for (HostTensor t : ck.weights().values()) n += t.size();
        return new Result(source, out, dtype, n, Files.size(out.resolve(Checkpoint.MODEL)));
    }

    /** The real path of {@code p}, or of its nearest existing ancestor followed by the rest, so links are seen through. */
    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
