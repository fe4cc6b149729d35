package dev.vavl4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.Workspace;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Recycled workspace arrays come back zeroed, only at their exact length, and within the pool's capacity. */
class CpuBufferPoolTest {
    @Test
    void aReturnedArrayIsReusedZeroedAtItsExactLengthOnly() {
        CpuBufferPool pool = new CpuBufferPool(1 << 20);
        float[] a = pool.take(1000);
        Arrays.fill(a, 7f);
        pool.give(a);
        assertEquals(4000, pool.pooledBytes());
        assertNotSame(a, pool.take(999), "another length must not get it");
        float[] again = pool.take(1000);
        assertSame(a, again);
        for (float v : again) assertEquals(0f, v);
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void bigArraysAreZeroedToo() {
        CpuBufferPool pool = new CpuBufferPool(1 << 24);
        float[] a = new float[1 << 19];
        Arrays.fill(a, -3f);
        pool.give(a);
        float[] b = pool.take(1 << 19);
        assertSame(a, b);
        for (float v : b) assertEquals(0f, v);
    }

    @Test
    void beyondCapacityArraysAreLeftToTheCollector() {
        CpuBufferPool pool = new CpuBufferPool(4000);
        pool.give(new float[600]);
        pool.give(new float[600]);
        assertEquals(2400, pool.pooledBytes());
        pool.clear();
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void backendWorkspacesRecycleWithoutLeakingValuesOrAllowingUseAfterClose() {
        Backend be = new CpuBackend();
        Tensor old;
        try (Workspace ws = be.openWorkspace()) {
            old = be.zeros(4, 8);
            be.fill(old, 5f);
        }
        assertThrows(IllegalStateException.class, () -> be.toHost(old));
        try (Workspace ws = be.openWorkspace()) {
            Tensor fresh = be.zeros(8, 4);
            for (float v : be.toHost(fresh)) assertEquals(0f, v, "a recycled array must come back zeroed");
            be.fill(fresh, 1f);
            assertThrows(IllegalStateException.class, () -> be.toHost(old));
        }
    }
}
