package dev.vavl4j.spark;

import dev.vavl4j.predict.Predictor;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link Predictor} per JVM (executor or driver) and model, created on first use and shared by every task
 * that runs there: a Predictor is thread-safe, and on the CPU its {@code threads(n)} bounds the cores it uses
 * however many tasks call it. Keyed by the model path and the thread count; closed when the JVM exits.
 */
final class Predictors {
    private record Key(String model, int threads) {}

    private static final Map<Key, Predictor> LOADED = new ConcurrentHashMap<>();

    static {
        Thread closer = new Thread(() -> LOADED.values().forEach(Predictor::close), "vavl4j-spark-predictors-close");
        try {
            Runtime.getRuntime().addShutdownHook(closer);
        } catch (IllegalStateException | SecurityException e) {
            // the JVM is already shutting down, or hooks are not allowed: nothing to close later
        }
    }

    private Predictors() {}

    /** The predictor of {@code model} on the CPU with {@code threads} threads (0: one per core of this JVM). */
    static Predictor get(String model, int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return LOADED.computeIfAbsent(new Key(model, n), k -> Predictor.builder(Path.of(k.model())).device("cpu").threads(k.threads()).build());
    }

    /** How many predictors this JVM holds (tests: one per executor JVM and model). */
    static int loaded() {
        return LOADED.size();
    }
}
