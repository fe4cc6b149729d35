package dev.vavl4j.predict;

import static org.junit.jupiter.api.Assertions.*;

import dev.vavl4j.CheckpointException;
import dev.vavl4j.InvalidInputException;
import dev.vavl4j.VavlException;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.data.Features;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.ConfigException;
import dev.vavl4j.testutil.TinyRuns;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who owns the backend, how many threads the work uses, and what a closed predictor does. */
class PredictorLifecycleTest {
    @TempDir
    static Path tmp;
    static Path run;
    static Features audio;

    @BeforeAll
    static void train() throws Exception {
        DemoCorpus.Summary c = TinyRuns.corpus(tmp.resolve("corpus"), 5);
        TinyRuns.train(c, tmp.resolve("run"), 1);
        run = tmp.resolve("run");
        audio = new Features(new float[7 * DemoCorpus.AUDIO_DIM], 7, DemoCorpus.AUDIO_DIM);
    }

    /** A CPU backend that records whether it was closed and on which threads its work ran. */
    /** What the spy backend saw. */
    static final class Watched {
        boolean closed;
    }

    @Test
    void aBuiltPredictorOwnsItsBackendAndClosingStopsIt() {
        Predictor p = Predictor.builder(run).device("cpu").threads(1).build();
        assertEquals("cpu", p.backend().name());
        assertEquals(1, ((CpuBackend) p.backend()).threads());
        assertTrue(p.backendReason().startsWith("cpu: requested"), p.backendReason());
        assertNotNull(p.predict(audio, null).answer());
        p.close();
        p.close();   // idempotent
        assertThrows(IllegalStateException.class, () -> p.predict(audio, null));
    }

    @Test
    void aHandedBackendStaysOpen() {
        Watched w = new Watched();
        try (CpuBackend cpu = new CpuBackend(2)) {
            Backend spy = (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(),
                    new Class<?>[] {Backend.class}, (proxy, m, args) -> {
                        if (m.getName().equals("close")) w.closed = true;
                        return m.invoke(cpu, args);
                    });
            try (Predictor p = Predictor.load(run, spy)) {
                assertNotNull(p.predict(audio, null));
            }
            assertFalse(w.closed, "the caller's backend was closed by the predictor");
        }
    }

    @Test
    void cpuWorkRunsOnTheBackendsOwnThreads() {
        try (CpuBackend cpu = new CpuBackend(2)) {
            Set<String> seen = ConcurrentHashMap.newKeySet();
            Supplier<Integer> work = () -> {
                seen.add(Thread.currentThread().getName());
                // nested parallel work stays in the same pool, whose parallelism the ops read
                java.util.stream.IntStream.range(0, 64).parallel().forEach(i -> seen.add(Thread.currentThread().getName()));
                return java.util.concurrent.ForkJoinTask.getPool().getParallelism();
            };
            assertEquals(2, cpu.call(work));
            assertFalse(seen.isEmpty());
            for (String t : seen) assertTrue(t.startsWith("vavl4j-cpu-"), "work ran on " + t + ", not the backend's pool");
        }
    }

    @Test
    void aCallersPoolIsUsedAndLeftRunning() {
        ForkJoinPool pool = new ForkJoinPool(3);
        try {
            try (CpuBackend cpu = new CpuBackend(pool)) {
                assertEquals(3, cpu.threads());
                assertSame(pool, cpu.call(java.util.concurrent.ForkJoinTask::getPool));
            }
            assertFalse(pool.isShutdown(), "close shut down a pool the backend did not own");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void exceptionsFromTheWorkPassThroughUnchanged() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            InvalidInputException e = new InvalidInputException("x.npy: bad");
            assertSame(e, assertThrows(InvalidInputException.class, () -> cpu.call(() -> { throw e; })));
        }
    }

    @Test
    void badOptionsAndMissingCheckpointsAreVavlExceptions() {
        assertThrows(ConfigException.class, () -> Predictor.builder(run).threads(0));
        assertThrows(ConfigException.class, () -> Predictor.builder(run).device("tpu").build());
        VavlException e = assertThrows(CheckpointException.class, () -> Predictor.load(tmp.resolve("nothing-here")));
        assertTrue(e.getMessage().contains("nothing-here"), e.getMessage());
    }
}
