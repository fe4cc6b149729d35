package dev.vavl4j.data;

import dev.vavl4j.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * NumPy {@code .npy} files holding one utterance's features: 2-D, {@code [T, D]}, float32 or float64,
 * little-endian, C order (format versions 1.0, 2.0 and 3.0). Values are returned as float32.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy itself refuses headers beyond this size by default; a larger one means a corrupt file. */
    private static final int MAX_HEADER = 1 << 20;
    /** NumPy 1.x/2.x align the data section to 64 bytes; we do the same so files are identical to np.save's. */
    private static final int ALIGN = 64;

    private Npy() {}

    /**
     * Reads and validates a feature file. Throws {@link DataException} naming the file and the problem for:
     * a missing file, bad magic (not NPY), unsupported version, a malformed header, a dtype other than
     * f4/f8, big-endian data, Fortran order, a shape that is not 2-D or has a zero dimension, a data
     * section shorter or longer than the shape needs (truncated file), and any NaN or infinite value
     * (naming its frame and dimension).
     */
    public static Features read(Path file) {
        return read(file, file.toString());
    }

    /**
     * {@link #read(Path)} with errors naming {@code where} (the path as the manifest names it, when {@code file}
     * is that path with its links resolved). Every size is checked against the file's real length before
     * anything of that size is allocated.
     */
    static Features read(Path file, String where) {
        ByteBuffer bytes = readAll(file, where);

        // Preamble: magic (6), version (2), header length (2 bytes in v1, 4 in v2/v3).
        if (bytes.remaining() < MAGIC.length + 2) throw new DataException(where + ": not an NPY file (" + bytes.remaining() + " bytes)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes.get(i) != MAGIC[i]) throw new DataException(where + ": not an NPY file (bad magic)");
        }
        int major = bytes.get(6) & 0xff, minor = bytes.get(7) & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new DataException(where + ": unsupported NPY version " + major + "." + minor + " (expected 1.0, 2.0 or 3.0)");
        }
        int lenBytes = major == 1 ? 2 : 4;
        int headerStart = 8 + lenBytes;
        if (bytes.remaining() < headerStart) throw new DataException(where + ": truncated NPY header");
        long headerLen = major == 1 ? bytes.getShort(8) & 0xffffL : bytes.getInt(8) & 0xffffffffL;
        if (headerLen > MAX_HEADER) throw new DataException(where + ": malformed header (header length " + headerLen + ")");
        if (headerStart + headerLen > bytes.remaining()) {
            throw new DataException(where + ": truncated NPY header (" + headerLen + " bytes announced, "
                    + (bytes.remaining() - headerStart) + " present)");
        }
        // v3.0 exists only to allow UTF-8 in the header; v1/v2 headers are latin-1.
        byte[] headerBytes = new byte[(int) headerLen];
        bytes.get(headerStart, headerBytes);
        String headerText = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader h;
        try {
            h = NpyHeader.parse(headerText);
        } catch (IllegalArgumentException e) {
            throw new DataException(where + ": malformed header: " + e.getMessage() + " in " + abbreviate(headerText.strip()));
        }

        int itemSize = checkDtype(where, h.descr());
        if (h.fortranOrder()) throw new DataException(where + ": Fortran-order arrays are not supported (expected C order)");
        if (h.shape().length != 2) {
            throw new DataException(where + ": expected a 2-D [frames, dim] array, got shape " + h.shapeString());
        }
        long frames = h.shape()[0], dim = h.shape()[1];
        if (frames == 0 || dim == 0) throw new DataException(where + ": shape " + h.shapeString() + " has a zero dimension");
        // Each entry is < 2^63 (NpyHeader), but their product may not be: 2^32 × 2^32 wraps to 0 in a long.
        long count;
        try {
            count = Math.multiplyExact(frames, dim);
        } catch (ArithmeticException e) {
            count = Long.MAX_VALUE;
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new DataException(where + ": shape " + h.shapeString() + " is too large (" + (count == Long.MAX_VALUE ? "over 2^63" : count)
                    + " values; at most " + (Integer.MAX_VALUE - 8) + ")");
        }

        long need = count * itemSize;   // < 2^31 · 8: no overflow
        long have = bytes.remaining() - headerStart - headerLen;
        if (have != need) {
            throw new DataException(where + ": data section has " + have + " bytes, shape " + h.shapeString() + " of "
                    + h.descr() + " needs " + need + (have < need ? " (truncated file)" : " (extra bytes at the end)"));
        }
        ByteBuffer data = bytes.position((int) (headerStart + headerLen)).slice().order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[(int) count];   // justified: the file holds count · itemSize data bytes
        if (itemSize == 4) {
            data.asFloatBuffer().get(values);
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) throw badValue(where, i, (int) dim, Float.isNaN(values[i]) ? "NaN" : "infinite");
            }
        } else {
            var doubles = data.asDoubleBuffer();
            for (int i = 0; i < values.length; i++) {
                double v = doubles.get(i);
                if (Double.isNaN(v)) throw badValue(where, i, (int) dim, "NaN");
                if (Double.isInfinite(v)) throw badValue(where, i, (int) dim, "infinite");
                values[i] = (float) v;
                if (Float.isInfinite(values[i])) throw badValue(where, i, (int) dim, v + ", outside the float32 range");
            }
        }
        return new Features(values, (int) frames, (int) dim);
    }

    /** Writes float32 {@code [frames, dim]} as NPY 1.0, atomically (temp file, then rename). */
    public static void write(Path file, Features features) {
        byte[] header = header(features.frames(), features.dim());
        try {
            AtomicFiles.write(file, out -> {
                out.write(header);
                // Encode in chunks so a large matrix needs no second full-size copy.
                ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                FloatBuffer floats = chunk.asFloatBuffer();
                float[] v = features.values();
                for (int i = 0; i < v.length; ) {
                    int n = Math.min(floats.capacity(), v.length - i);
                    floats.clear();
                    floats.put(v, i, n);
                    out.write(chunk.array(), 0, n * Float.BYTES);
                    i += n;
                }
            });
        } catch (IOException e) {
            throw new DataException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /** Magic, version 1.0, length, and the dict padded with spaces and a final newline to a multiple of 64. */
    static byte[] header(int frames, int dim) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + frames + ", " + dim + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int total = (unpadded + ALIGN - 1) / ALIGN * ALIGN;
        String text = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length()).put(text.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    /** The item size of an accepted dtype; '=' (native) is taken as little-endian, the only order we run on. */
    private static int checkDtype(String where, String descr) {
        String kind = descr.length() == 3 ? descr.substring(1) : descr;
        char order = descr.length() == 3 ? descr.charAt(0) : '?';
        boolean floatKind = kind.equals("f4") || kind.equals("f8");
        if (floatKind && order == '>') throw new DataException(where + ": big-endian data ('" + descr + "') is not supported; save it little-endian ('<" + kind + "')");
        if (!floatKind || (order != '<' && order != '=')) {
            throw new DataException(where + ": dtype '" + NpyHeader.escape(descr) + "' is not supported (expected float32 '<f4' or float64 '<f8')");
        }
        return kind.equals("f4") ? 4 : 8;
    }

    /** A corrupt header can be up to 1 MiB; one line of it, control characters escaped, is enough in a message. */
    private static String abbreviate(String text) {
        return NpyHeader.escape(text);
    }

    private static DataException badValue(String where, int index, int dim, String what) {
        return new DataException(where + ": value at frame " + index / dim + ", dim " + index % dim + " is " + what);
    }

    private static ByteBuffer readAll(Path file, String where) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 8) throw new DataException(where + ": file too large (" + size + " bytes)");
            ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read until full or end of file (the file may shrink while we read)
            }
            return buf.flip();
        } catch (NoSuchFileException e) {
            throw new DataException(where + ": file not found");
        } catch (IOException e) {
            throw new DataException(where + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
