package dev.vavl4j.predict;

import dev.vavl4j.ConfigException;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.nio.file.Path;

/** Run in a child JVM with a small heap by {@link PredictorHeapTest}: loads a predictor, says what happened. */
public final class PredictorHeapChild {
    private PredictorHeapChild() {}

    public static void main(String[] args) {
        try (CpuBackend be = new CpuBackend(1); Predictor p = Predictor.load(Path.of(args[0]), be)) {
            System.out.println("LOADED " + p.config().modelDim());
        } catch (ConfigException e) {
            System.out.println("REFUSED " + e.getMessage());
        } catch (OutOfMemoryError e) {
            System.out.println("OOM " + e.getMessage());
        }
    }
}
