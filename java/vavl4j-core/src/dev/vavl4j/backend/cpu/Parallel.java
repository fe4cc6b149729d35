package dev.vavl4j.backend.cpu;

import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Fork/join over independent tasks. A parallel stream started on a worker of a {@link java.util.concurrent.ForkJoinPool}
 * runs in that pool, so work that {@link CpuBackend#call} runs uses the backend's own threads and no more;
 * ops called directly from another thread use the common pool (tests and benchmarks do).
 */
final class Parallel {
    private Parallel() {}

    /** How many threads the current work may use: the pool it runs in, else all cores. */
    static int threads() {
        return ForkJoinTask.inForkJoinPool() ? ForkJoinTask.getPool().getParallelism()
                : Runtime.getRuntime().availableProcessors();
    }

    /** Runs body(0..tasks-1); in parallel when the total work is worth a fork. */
    static void forEach(int tasks, long workPerTask, IntConsumer body) {
        if (tasks <= 1 || (long) tasks * workPerTask < 32_768 || threads() == 1) {
            for (int i = 0; i < tasks; i++) body.accept(i);
        } else {
            IntStream.range(0, tasks).parallel().forEach(body);
        }
    }

    /** Splits [0, n) into chunks of at least {@code grain} and runs body(from, to) on each. */
    static void forChunks(int n, int grain, long workPerItem, ChunkBody body) {
        int threads = threads();
        int chunks = Math.max(1, Math.min(threads * 4, (n + grain - 1) / Math.max(1, grain)));
        int step = (n + chunks - 1) / chunks;
        int tasks = step == 0 ? 0 : (n + step - 1) / step;
        forEach(tasks, (long) step * workPerItem, c -> body.run(c * step, Math.min(n, (c + 1) * step)));
    }

    @FunctionalInterface
    interface ChunkBody {
        void run(int from, int to);
    }
}
