package dev.vavl4j.backend.cpu;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Recycles the float arrays of closed workspaces, keyed by exact length.
 *
 * <p>Why: a training step creates about 1,200 workspace tensors, many of them megabytes (G1 allocates
 * those as humongous objects straight into the old generation). Allocating them fresh cost 28% of a
 * paper-size step in zeroing and collection; a step asks for the same lengths every time, so after the
 * first step every request is a hit. Arrays are handed out zeroed, as {@code zeros} promises. The pool
 * keeps at most {@code capacityBytes}; beyond that a released array is left to the collector.
 */
final class CpuBufferPool {
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private final long capacityBytes;
    private long pooledBytes;

    CpuBufferPool(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    /** A zero-filled array of exactly {@code length} elements. */
    float[] take(int length) {
        float[] a = poll(length);
        if (a == null) return new float[length];
        CpuFill.zero(a);
        return a;
    }

    /** An array of exactly {@code length} elements holding whatever its last user left. */
    float[] takeUninitialized(int length) {
        float[] a = poll(length);
        return a != null ? a : new float[length];
    }

    private synchronized float[] poll(int length) {
        ArrayDeque<float[]> q = free.get(length);
        float[] a = q == null ? null : q.poll();
        if (a != null) pooledBytes -= 4L * length;
        return a;
    }

    /** Takes back an array no tensor refers to any more. */
    synchronized void give(float[] a) {
        if (a == null || a.length == 0 || pooledBytes + 4L * a.length > capacityBytes) return;
        free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        pooledBytes += 4L * a.length;
    }

    /** Drops every pooled array (after an allocation failed, before trying again). */
    synchronized void clear() {
        free.clear();
        pooledBytes = 0;
    }

    synchronized long pooledBytes() {
        return pooledBytes;
    }

    /** Zeroing split across cores once an array is big enough for the fork to pay. */
    private static final class CpuFill {
        private CpuFill() {}

        static void zero(float[] a) {
            int n = a.length;
            if (n < 1 << 18) {
                Arrays.fill(a, 0f);
                return;
            }
            Parallel.forChunks(n, 1 << 16, 1, (from, to) -> Arrays.fill(a, from, to, 0f));
        }
    }
}
