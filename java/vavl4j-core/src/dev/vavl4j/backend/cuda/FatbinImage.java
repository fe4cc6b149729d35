package dev.vavl4j.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel fatbin embedded in the jar (built by native-build/build-fatbin.sh), and what it holds: a
 * SASS image per GPU architecture and PTX that newer GPUs compile at load time. Reading the entries lets
 * the backend say "this GPU (sm_75) is older than any kernel image" instead of a bare driver error.
 */
public final class FatbinImage {
    static final String RESOURCE = "/dev/vavl4j/backend/cuda/vavl_kernels.fatbin";
    private static final int MAGIC = 0xBA55ED50;

    /** One entry: SASS for exactly {@code arch} (e.g. 90 for sm_90) or PTX for compute_{@code arch}. */
    public record Entry(boolean ptx, int arch) {
        @Override
        public String toString() {
            return (ptx ? "compute_" : "sm_") + arch;
        }
    }

    private final byte[] bytes;
    private final List<Entry> entries;

    private FatbinImage(byte[] bytes, List<Entry> entries) {
        this.bytes = bytes;
        this.entries = List.copyOf(entries);
    }

    /** The fatbin in the jar; {@link CudaUnavailableException} when the jar was built without one. */
    public static FatbinImage embedded() {
        try (InputStream in = FatbinImage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new CudaUnavailableException("this vavl4j jar has no CUDA kernels (" + RESOURCE + " missing)");
            return parse(in.readAllBytes(), RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a fatbin: header {magic u32, version u16, header size u16, payload size u64}, then entries. */
    static FatbinImage parse(byte[] bytes, String source) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 16 || b.getInt(0) != MAGIC) throw new CudaUnavailableException(source + ": not a CUDA fatbin");
        int headerSize = Short.toUnsignedInt(b.getShort(6));
        long end = headerSize + b.getLong(8);
        if (end > bytes.length) throw new CudaUnavailableException(source + ": truncated fatbin");
        List<Entry> entries = new ArrayList<>();
        long off = headerSize;
        // Entry header: kind u16 (1 PTX, 2 ELF), u16, header size u32, payload size u64, ..., arch u32 at +28.
        while (off + 32 <= end) {
            int o = (int) off;
            int kind = Short.toUnsignedInt(b.getShort(o));
            long entrySize = Integer.toUnsignedLong(b.getInt(o + 4)) + b.getLong(o + 8);
            if (entrySize <= 0) break;
            if (kind == 1 || kind == 2) entries.add(new Entry(kind == 1, b.getInt(o + 28)));
            off += entrySize;
        }
        return new FatbinImage(bytes, entries);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    byte[] bytesShared() {
        return bytes;
    }

    public List<Entry> entries() {
        return entries;
    }

    /**
     * Whether a GPU of compute capability {@code major.minor} can load this image: SASS of exactly its
     * architecture, SASS of the same major and a lower minor (binary compatible), or PTX no newer than it.
     */
    public boolean runsOn(int major, int minor) {
        int arch = 10 * major + minor;
        for (Entry e : entries) {
            if (e.ptx() ? e.arch() <= arch : e.arch() / 10 == major && e.arch() <= arch) return true;
        }
        return false;
    }
}
