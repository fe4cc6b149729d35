package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Workspace;
import dev.vavl4j.backend.WorkspaceTracker;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The caching allocator's bookkeeping, on a fake raw allocator that counts live allocations. */
class DeviceMemoryTest {
    /** Hands out fake addresses; fails past a byte budget like cuMemAlloc out of memory. */
    static final class FakeRaw implements DeviceMemory.Raw {
        final Map<Long, Long> live = new HashMap<>();
        long next = 1L << 32, budget = Long.MAX_VALUE, allocations;

        long liveBytes() {
            return live.values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public long allocate(long bytes) {
            if (liveBytes() + bytes > budget) throw new IllegalStateException("CUDA_ERROR_OUT_OF_MEMORY");
            long a = next;
            next += bytes + 4096;
            live.put(a, bytes);
            allocations++;
            return a;
        }

        @Override
        public void free(long address) {
            if (live.remove(address) == null) throw new AssertionError("double or foreign free of " + address);
        }
    }

    @Test
    void sizeClassesCoverTheRequestWithBoundedWaste() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            long bytes = 1 + r.nextLong(1L << (1 + r.nextInt(34)));
            long cls = DeviceMemory.sizeClass(bytes);
            assertTrue(cls >= bytes && cls % 256 == 0, bytes + " -> " + cls);
            if (bytes > 65_536) assertTrue(cls - bytes <= bytes / 8 + 1, bytes + " -> " + cls);
        }
        assertEquals(256, DeviceMemory.sizeClass(0));
    }

    @Test
    void aStepRepeatedWithTheSameShapesAllocatesNothingNew() {
        FakeRaw raw = new FakeRaw();
        DeviceMemory mem = new DeviceMemory(raw);
        WorkspaceTracker<DeviceMemory.Block> ws = new WorkspaceTracker<>(bs -> bs.forEach(mem::give));
        long[] shapes = {4 * 32 * 150 * 512, 4 * 32 * 8 * 150 * 150, 4 * 512, 4 * 32 * 150 * 512, 4 * 7};
        int afterFirst = -1;
        for (int step = 0; step < 5; step++) {
            try (Workspace w = ws.open()) {
                for (long s : shapes) ws.adopt(mem.take(s));
            }
            if (step == 0) afterFirst = mem.liveAllocations();
            assertEquals(afterFirst, mem.liveAllocations(), "step " + step);
            assertEquals(0, mem.blocksInUse());
        }
        assertEquals(shapes.length, raw.allocations);
        mem.close();
        assertTrue(raw.live.isEmpty(), "close frees every raw allocation");
    }

    @Test
    void varyingBatchLengthsReuseCachedBlocks() {
        FakeRaw raw = new FakeRaw();
        DeviceMemory mem = new DeviceMemory(raw);
        WorkspaceTracker<DeviceMemory.Block> ws = new WorkspaceTracker<>(bs -> bs.forEach(mem::give));
        SplittableRandom r = new SplittableRandom(7);
        for (int step = 0; step < 200; step++) {
            int T = 75 + r.nextInt(76);
            try (Workspace w = ws.open()) {
                ws.adopt(mem.take(4L * 32 * T * 512));
                ws.adopt(mem.take(4L * 32 * 8 * T * T));
            }
        }
        assertTrue(raw.allocations < 40, "size classes bound the distinct blocks: " + raw.allocations);
        mem.close();
        assertTrue(raw.live.isEmpty());
    }

    @Test
    void releasedBlocksAreMarkedAndReleasingTwiceIsHarmless() {
        DeviceMemory mem = new DeviceMemory(new FakeRaw());
        DeviceMemory.Block b = mem.take(1000);
        assertFalse(b.isReleased());
        mem.give(b);
        mem.give(b);
        assertTrue(b.isReleased());
        assertEquals(0, mem.blocksInUse());
        DeviceMemory.Block again = mem.take(900); // same size class: the cached block comes back
        assertEquals(b.address(), again.address());
        assertEquals(1, mem.liveAllocations());
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetries() {
        FakeRaw raw = new FakeRaw();
        raw.budget = 3 << 20;
        DeviceMemory mem = new DeviceMemory(raw);
        DeviceMemory.Block a = mem.take(2 << 20);
        mem.give(a); // cached, still counted against the budget
        DeviceMemory.Block b = mem.take(3 << 20); // needs the cache freed first
        assertEquals(1, mem.liveAllocations());
        var e = assertThrows(DeviceMemory.OutOfDeviceMemoryException.class, () -> mem.take(1 << 20));
        assertTrue(e.getMessage().contains("out of device memory"), e.getMessage());
        mem.give(b);
    }

    @Test
    void closeInvalidatesBlocksStillInUseAndRefusesNewOnes() {
        FakeRaw raw = new FakeRaw();
        DeviceMemory mem = new DeviceMemory(raw);
        DeviceMemory.Block b = mem.take(10);
        mem.close();
        assertTrue(b.isReleased());
        assertTrue(raw.live.isEmpty());
        mem.give(b); // a workspace closing after the backend: no error, nothing freed twice
        assertThrows(IllegalStateException.class, () -> mem.take(10));
    }
}
