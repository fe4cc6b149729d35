package dev.vavl4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.io.HostTensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets}}} (plus optional {@code __metadata__}), then raw
 * little-endian data. Reading validates everything and names the file and tensor on error. It reads F32, F64,
 * F16, BF16, I32, I64, U8 and BOOL; it writes floats as F32 except tensors whose dtype is F16 or BF16
 * ({@link HostTensor#roundedTo}), which keep it.
 * <p>Files are read and written one tensor at a time, so a file never sits in memory next to its tensors
 * (a paper-size checkpoint's optimizer state is hundreds of MB).
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = JsonFiles.strictMapper(ObjectMapper.class);
    private static final long MAX_HEADER = 100L << 20;
    private static final int CHUNK = 1 << 16;

    private SafeTensors() {}

    /** Where a tensor's bytes come from: a file, or bytes already in memory. */
    @FunctionalInterface
    private interface Bytes {
        /** {@code n} bytes from {@code at}, little-endian, positioned at 0. */
        ByteBuffer read(long at, int n) throws IOException;
    }

    public static Map<String, HostTensor> read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parse(file.toString(), ch.size(), (at, n) -> {
                ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
                while (b.hasRemaining()) {
                    if (ch.read(b, at + b.position()) < 0) throw new EOFException("the file ends at byte " + (at + b.position()));
                }
                return b.flip();
            });
        } catch (NoSuchFileException e) {
            throw new FormatException(file + ": file not found");
        } catch (IOException e) {
            throw new FormatException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    public static Map<String, HostTensor> parse(String source, byte[] bytes) {
        try {
            return parse(source, bytes.length, (at, n) -> ByteBuffer.wrap(bytes, (int) at, n).slice().order(ByteOrder.LITTLE_ENDIAN));
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // memory does not fail to read
        }
    }

    private static Map<String, HostTensor> parse(String source, long size, Bytes bytes) throws IOException {
        if (size < 8) throw new FormatException(source + ": not a safetensors file (" + size + " bytes, no header)");
        long headerLen = bytes.read(0, 8).getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER || 8 + headerLen > size) {
            throw new FormatException(source + ": not a safetensors file or truncated (header length " + headerLen
                    + ", file " + size + " bytes)");
        }
        JsonNode header;
        try {
            ByteBuffer h = bytes.read(8, (int) headerLen);
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(h).toString();
            if (!text.startsWith("{")) throw new FormatException(source + ": header is not a JSON object (not a safetensors file?)");
            header = JSON.readTree(text);
        } catch (CharacterCodingException e) {
            throw new FormatException(source + ": header is not UTF-8 text");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String what = JsonFiles.firstLine(e);
            throw new FormatException(source + (what.startsWith("Duplicate") ? ": header names a tensor or key twice (" : ": header is not valid JSON (")
                    + shown(what) + ")");
        }
        if (header == null || !header.isObject()) throw new FormatException(source + ": header is not a JSON object");
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;

        // First every entry is checked on its own and the layout as a whole (every data byte belongs to exactly
        // one tensor, as the reference reader demands), then the tensors are read: so no more is ever allocated
        // than the file holds, however many tensors a header claims or aliases.
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                checkMetadata(source, e.getValue());
                continue;
            }
            entries.add(entry(source, e.getKey(), e.getValue(), dataLen));
        }
        checkLayout(source, entries, dataLen);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Entry e : entries) out.put(e.name, tensor(e, bytes, dataStart));
        return out;
    }

    /** A header entry, checked: its bytes lie inside the data section and match its shape and dtype. */
    private record Entry(String name, String where, DType dtype, int[] shape, int count, long begin, long end) {}

    private static final java.util.Set<String> ENTRY_KEYS = java.util.Set.of("dtype", "shape", "data_offsets");

    private static Entry entry(String src, String name, JsonNode info, long dataLen) {
        String where = src + ": tensor '" + shown(name) + "'";
        if (!info.isObject()) throw new FormatException(where + ": header entry is not an object");
        for (Iterator<String> it = info.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!ENTRY_KEYS.contains(k)) throw new FormatException(where + ": unexpected key '" + shown(k) + "' (expected dtype, shape, data_offsets)");
        }
        JsonNode dtypeNode = info.path("dtype");
        DType dtype;
        try {
            if (!dtypeNode.isTextual()) throw new IllegalArgumentException();
            dtype = DType.valueOf(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw new FormatException(where + ": unsupported dtype " + abbreviated(dtypeNode.toString()));
        }
        JsonNode shapeNode = info.path("shape"), offs = info.path("data_offsets");
        if (!shapeNode.isArray()) throw new FormatException(where + ": missing shape");
        int[] shape = new int[shapeNode.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            // Integers only: 2.0, 2.5, 2e0, "2" and 2^31 are all refused (Jackson would read 2.5 as 2).
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw new FormatException(where + ": bad dimension " + abbreviated(d.toString()) + " in shape (expected an integer ≥ 0)");
            }
            shape[i] = d.intValue();
            n = Math.multiplyExact(n, (long) shape[i]);   // ≤ 2^31 · 2^31: cannot overflow before the check below
            if (n > Integer.MAX_VALUE) throw new FormatException(where + ": shape " + abbreviated(shapeNode.toString()) + " is too large");
        }
        if (!offs.isArray() || offs.size() != 2 || !offs.get(0).isIntegralNumber() || !offs.get(1).isIntegralNumber()
                || !offs.get(0).canConvertToLong() || !offs.get(1).canConvertToLong()) {
            throw new FormatException(where + ": bad data_offsets " + abbreviated(offs.toString()) + " (expected two integers)");
        }
        long begin = offs.get(0).longValue(), end = offs.get(1).longValue();
        if (begin < 0 || end < begin || end > dataLen) {
            throw new FormatException(where + ": data_offsets [" + begin + ", " + end + "] outside the " + dataLen
                    + " data bytes (file truncated?)");
        }
        long need = n * dtype.bytes;   // n ≤ 2^31, bytes ≤ 8
        if (end - begin != need) {
            throw new FormatException(where + ": " + (end - begin) + " bytes for shape " + java.util.Arrays.toString(shape)
                    + " of " + dtype + " (expected " + need + ")");
        }
        if (need > Integer.MAX_VALUE - 8) throw new FormatException(where + ": " + need + " bytes is too large for one tensor");
        return new Entry(name, where, dtype, shape, (int) n, begin, end);
    }

    /** The tensors' byte ranges must tile the data section: no overlap (aliasing), no gap, nothing after the last. */
    private static void checkLayout(String src, List<Entry> entries, long dataLen) {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(java.util.Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin < at) {
                throw new FormatException(e.where + ": data_offsets [" + e.begin + ", " + e.end + "] overlap tensor '"
                        + shown(previous.name) + "' [" + previous.begin + ", " + previous.end + "]");
            }
            if (e.begin > at) {
                throw new FormatException(e.where + ": data_offsets [" + e.begin + ", " + e.end + "] leave bytes ["
                        + at + ", " + e.begin + ") of the data section unused");
            }
            at = e.end;
            previous = e;
        }
        if (at != dataLen) {
            throw new FormatException(src + ": " + (dataLen - at) + " bytes after the last tensor's data (the data section is "
                    + dataLen + " bytes, the tensors use " + at + ")");
        }
    }

    /** {@code __metadata__} is a string-to-string map in the format. */
    private static void checkMetadata(String src, JsonNode meta) {
        if (!meta.isObject()) throw new FormatException(src + ": __metadata__ is not a JSON object");
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new FormatException(src + ": __metadata__ key '" + shown(e.getKey()) + "' is not a string: " + abbreviated(e.getValue().toString()));
            }
        }
    }

    /** A name or value as it can appear in a one-line message: control characters escaped, at most 200 characters. */
    private static String shown(String s) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < s.length() && sb.length() < 200; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return i < s.length() ? sb + "…" : sb.toString();
    }

    private static String abbreviated(String s) {
        return shown(s);
    }

    private static HostTensor tensor(Entry e, Bytes bytes, long dataStart) throws IOException {
        String where = e.where;
        DType dtype = e.dtype;
        int[] shape = e.shape;
        int count = e.count;
        ByteBuffer buf = bytes.read(dataStart + e.begin, (int) (e.end - e.begin));
        switch (dtype) {
            case F32 -> {
                float[] v = new float[count];
                buf.asFloatBuffer().get(v);
                return new HostTensor(dtype, shape, v, null);
            }
            case F64 -> {
                float[] v = new float[count];
                for (int i = 0; i < count; i++) v[i] = (float) buf.getDouble(8 * i);
                return new HostTensor(dtype, shape, v, null);
            }
            case F16 -> {
                float[] v = new float[count];
                for (int i = 0; i < count; i++) v[i] = HalfFloats.fromF16(buf.getShort(2 * i));
                return new HostTensor(dtype, shape, v, null);
            }
            case BF16 -> {
                float[] v = new float[count];
                for (int i = 0; i < count; i++) v[i] = HalfFloats.fromBf16(buf.getShort(2 * i));
                return new HostTensor(dtype, shape, v, null);
            }
            case I32 -> {
                int[] v = new int[count];
                buf.asIntBuffer().get(v);
                return new HostTensor(dtype, shape, null, v);
            }
            case I64 -> {
                int[] v = new int[count];
                for (int i = 0; i < count; i++) {
                    long x = buf.getLong(8 * i);
                    if (x != (int) x) throw new FormatException(where + ": value " + x + " does not fit in int32");
                    v[i] = (int) x;
                }
                return new HostTensor(dtype, shape, null, v);
            }
            default -> {
                int[] v = new int[count];
                for (int i = 0; i < count; i++) v[i] = buf.get(i) & 0xFF;
                if (dtype == DType.BOOL) {
                    for (int i = 0; i < count; i++) {
                        if (v[i] > 1) throw new FormatException(where + ": BOOL value " + v[i] + " at index " + i + " (expected 0 or 1)");
                    }
                }
                return new HostTensor(dtype, shape, null, v);
            }
        }
    }

    /** Writes the tensors (sorted by name) atomically: a temp file renamed over the target. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, HostTensor> sorted = new TreeMap<>(tensors);
        byte[] header = header(sorted, metadata);
        AtomicFiles.write(file, out -> writeTo(out, header, sorted));
    }

    public static byte[] encode(Map<String, HostTensor> tensors, Map<String, String> metadata) {
        Map<String, HostTensor> sorted = new TreeMap<>(tensors);
        byte[] header = header(sorted, metadata);
        long total = header.length;
        for (HostTensor t : sorted.values()) total += (long) t.size() * storedType(t).bytes;
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("safetensors file over 2 GiB: write it to a file instead");
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) total);
        try {
            writeTo(out, header, sorted);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // memory does not fail to write
        }
        return out.toByteArray();
    }

    /** The length prefix and the JSON header, space-padded to a multiple of 8 as the reference writer does. */
    private static byte[] header(Map<String, HostTensor> sorted, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        long off = 0;
        for (Map.Entry<String, HostTensor> e : sorted.entrySet()) {
            HostTensor t = e.getValue();
            DType dt = storedType(t);
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", dt.name());
            var shape = info.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            long len = (long) t.size() * dt.bytes;
            info.putArray("data_offsets").add(off).add(off + len);
            off += len;
        }
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded);
        buf.put(h);
        while (buf.hasRemaining()) buf.put((byte) ' ');
        return buf.array();
    }

    /** The header, then each tensor's values in the header's order, through a small reused buffer. */
    private static void writeTo(OutputStream out, byte[] header, Map<String, HostTensor> sorted) throws IOException {
        out.write(header);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (HostTensor t : sorted.values()) {
            DType dt = storedType(t);
            int n = t.size();
            if (dt == DType.F32 || dt == DType.I32) {   // the common case, in bulk
                for (int i = 0; i < n; ) {
                    if (buf.remaining() < 4) drain(buf, out);
                    int k = Math.min(n - i, buf.remaining() / 4);
                    if (dt == DType.F32) buf.asFloatBuffer().put(t.floats(), i, k);
                    else buf.asIntBuffer().put(t.ints(), i, k);
                    buf.position(buf.position() + 4 * k);
                    i += k;
                }
                continue;
            }
            for (int i = 0; i < n; i++) {
                if (buf.remaining() < dt.bytes) drain(buf, out);
                switch (dt) {
                    case F16 -> buf.putShort(HalfFloats.toF16(t.floats()[i]));
                    case BF16 -> buf.putShort(HalfFloats.toBf16(t.floats()[i]));
                    default -> buf.put((byte) t.ints()[i]);
                }
            }
        }
        drain(buf, out);
    }

    private static void drain(ByteBuffer buf, OutputStream out) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    /** F16 and BF16 stay half precision, other floats are written as F32; U8/BOOL stay bytes; other integers as I32. */
    private static DType storedType(HostTensor t) {
        if (t.floats() != null) return t.dtype() == DType.F16 || t.dtype() == DType.BF16 ? t.dtype() : DType.F32;
        return (t.dtype() == DType.U8 || t.dtype() == DType.BOOL) ? t.dtype() : DType.I32;
    }
}
