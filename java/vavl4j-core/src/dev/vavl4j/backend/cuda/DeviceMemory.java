package dev.vavl4j.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A caching allocator over raw device allocations. A released block goes to a free list of its size
 * class instead of back to the driver, so the second and later training steps, which ask for the same
 * sizes, allocate nothing new. Size classes are coarse (at most 1/8 waste) so that batches of varying
 * length still reuse blocks. Thread-safe.
 */
final class DeviceMemory implements AutoCloseable {
    /** The raw allocator: cuMemAlloc / cuMemFree on a device, anything in a test. */
    interface Raw {
        long allocate(long bytes);

        void free(long address);
    }

    /** Thrown when the device is out of memory even after the cache was emptied. */
    static final class OutOfDeviceMemoryException extends dev.vavl4j.DeviceException {
        OutOfDeviceMemoryException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One allocation handed out; released blocks must not be used again. */
    static final class Block {
        private final long address;
        private final long bytes;
        private boolean released;

        private Block(long address, long bytes) {
            this.address = address;
            this.bytes = bytes;
        }

        long address() {
            return address;
        }

        long bytes() {
            return bytes;
        }

        synchronized boolean isReleased() {
            return released;
        }
    }

    private final Raw raw;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private final Map<Long, Long> sizeOf = new HashMap<>();
    private final Map<Block, Boolean> inUse = new IdentityHashMap<>();
    private long liveBytes, inUseBytes, peakInUseBytes;
    private boolean closed;

    DeviceMemory(Raw raw) {
        this.raw = raw;
    }

    /** The size class of a request: multiples of 256 B up to 64 KiB, then 8 steps per power of two. */
    static long sizeClass(long bytes) {
        long b = Math.max(bytes, 1);
        if (b <= 65_536) return (b + 255) & ~255L;
        long step = Long.highestOneBit(b - 1) >>> 3;
        return (b + step - 1) / step * step;
    }

    synchronized Block take(long bytes) {
        if (closed) throw new IllegalStateException("device memory used after the backend closed");
        long cls = sizeClass(bytes);
        ArrayDeque<Long> list = free.get(cls);
        Long address = list == null ? null : list.poll();
        if (address == null) address = allocateRaw(cls);
        Block b = new Block(address, cls);
        inUse.put(b, Boolean.TRUE);
        inUseBytes += cls;
        peakInUseBytes = Math.max(peakInUseBytes, inUseBytes);
        return b;
    }

    /** Returns a block to its free list; later uses of it throw. Releasing twice is a no-op. */
    synchronized void give(Block b) {
        synchronized (b) {
            if (b.released) return;
            b.released = true;
        }
        if (inUse.remove(b) == null) return; // the allocator was closed meanwhile
        inUseBytes -= b.bytes;
        free.computeIfAbsent(b.bytes, k -> new ArrayDeque<>()).push(b.address);
    }

    private long allocateRaw(long cls) {
        long address;
        try {
            address = raw.allocate(cls);
        } catch (RuntimeException first) {
            if (trim() == 0) throw new OutOfDeviceMemoryException(oom(cls), first);
            try {
                address = raw.allocate(cls);
            } catch (RuntimeException second) {
                throw new OutOfDeviceMemoryException(oom(cls), second);
            }
        }
        sizeOf.put(address, cls);
        liveBytes += cls;
        return address;
    }

    private String oom(long cls) {
        return String.format("out of device memory allocating %,d bytes (%,d bytes in use by tensors)", cls, inUseBytes);
    }

    /** Frees every cached (unused) block back to the driver; returns the bytes freed. */
    synchronized long trim() {
        long freed = 0;
        for (ArrayDeque<Long> list : free.values()) {
            for (Long a : list) {
                freed += sizeOf.remove(a);
                raw.free(a);
            }
        }
        free.clear();
        liveBytes -= freed;
        return freed;
    }

    /** Raw device allocations not yet freed (in use plus cached): what a leak would grow. */
    synchronized int liveAllocations() {
        return sizeOf.size();
    }

    synchronized int blocksInUse() {
        return inUse.size();
    }

    synchronized long liveBytes() {
        return liveBytes;
    }

    synchronized long peakInUseBytes() {
        return peakInUseBytes;
    }

    synchronized void resetPeak() {
        peakInUseBytes = inUseBytes;
    }

    /** Frees everything, blocks still in use included (they become unusable). */
    @Override
    public synchronized void close() {
        if (closed) return;
        for (Block b : inUse.keySet()) {
            synchronized (b) {
                b.released = true;
            }
            free.computeIfAbsent(b.bytes, k -> new ArrayDeque<>()).push(b.address);
        }
        inUse.clear();
        inUseBytes = 0;
        trim();
        closed = true;
    }
}
