package dev.vavl4j.io;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only crash injection for the atomic writers: with {@code -Dvavl.test.crashAt=KIND:N:STAGE} the JVM
 * halts ({@link Runtime#halt}, no shutdown hooks, no finally blocks: what {@code kill -9} leaves) when the
 * N-th write of KIND in this JVM reaches STAGE. KIND is {@code save:NAME} for a checkpoint directory named
 * NAME ({@code CheckpointDirs.writeAtomically}, e.g. {@code save:last:2:aside}) or {@code file:NAME} for a file
 * named NAME ({@link AtomicFiles#write}, e.g. {@code file:model.safetensors:1:synced}); the stages are listed
 * where they are reached. The crash test uses it to stop a training run at exact points. Without the
 * property (always, outside that test) every call here is a no-op.
 */
public final class CrashPoints {
    /** The exit status of a halt at a crash point, so a test can tell it from any other end. */
    public static final int HALT_STATUS = 86;

    private static final String SPEC = System.getProperty("vavl.test.crashAt");
    private static final ConcurrentHashMap<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();

    private CrashPoints() {}

    /** Numbers a new write of {@code kind}: 1 for the first of that kind in this JVM; 0 when disarmed. */
    public static int begin(String kind) {
        if (SPEC == null) return 0;
        return COUNTS.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    /** Halts the JVM when the property names this stage of write {@code n} of {@code kind}. */
    public static void at(String kind, int n, String stage) {
        if (SPEC != null && n > 0 && SPEC.equals(kind + ":" + n + ":" + stage)) Runtime.getRuntime().halt(HALT_STATUS);
    }
}
