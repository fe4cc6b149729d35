package dev.vavl4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.io.HostTensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets}}} (plus optional {@code __metadata__}), then raw
 * little-endian data. Reading validates everything and names the file and tensor on error.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    public static Map<String, HostTensor> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new FormatException(file + ": file not found");
        } catch (IOException e) {
            throw new FormatException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parse(file.toString(), bytes);
    }

    public static Map<String, HostTensor> parse(String source, byte[] bytes) {
        if (bytes.length < 8) throw new FormatException(source + ": not a safetensors file (" + bytes.length + " bytes, no header)");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong(0);
        if (headerLen < 2 || headerLen > MAX_HEADER || 8 + headerLen > bytes.length) {
            throw new FormatException(source + ": not a safetensors file or truncated (header length " + headerLen
                    + ", file " + bytes.length + " bytes)");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new FormatException(source + ": header is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (header == null || !header.isObject()) throw new FormatException(source + ": header is not a JSON object");
        int dataStart = (int) (8 + headerLen);
        long dataLen = bytes.length - dataStart;
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            out.put(e.getKey(), tensor(source, e.getKey(), e.getValue(), buf, dataStart, dataLen));
        }
        return out;
    }

    private static HostTensor tensor(String src, String name, JsonNode info, ByteBuffer buf, int dataStart, long dataLen) {
        String where = src + ": tensor '" + name + "'";
        if (!info.isObject()) throw new FormatException(where + ": header entry is not an object");
        DType dtype;
        try {
            dtype = DType.valueOf(info.path("dtype").asText("?"));
        } catch (IllegalArgumentException e) {
            throw new FormatException(where + ": unsupported dtype " + info.path("dtype"));
        }
        JsonNode shapeNode = info.path("shape"), offs = info.path("data_offsets");
        if (!shapeNode.isArray()) throw new FormatException(where + ": missing shape");
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToInt() || d.asInt() < 0) throw new FormatException(where + ": bad dimension " + d);
            shape[i] = d.asInt();
        }
        if (!offs.isArray() || offs.size() != 2 || !offs.get(0).canConvertToLong() || !offs.get(1).canConvertToLong()) {
            throw new FormatException(where + ": bad data_offsets " + offs);
        }
        long begin = offs.get(0).asLong(), end = offs.get(1).asLong();
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) throw new FormatException(where + ": shape " + java.util.Arrays.toString(shape) + " is too large");
        }
        if (begin < 0 || end < begin || end > dataLen) {
            throw new FormatException(where + ": data_offsets [" + begin + ", " + end + "] outside the " + dataLen
                    + " data bytes (file truncated?)");
        }
        if ((end - begin) != n * dtype.bytes) {
            throw new FormatException(where + ": " + (end - begin) + " bytes for shape " + java.util.Arrays.toString(shape)
                    + " of " + dtype + " (expected " + n * dtype.bytes + ")");
        }
        int at = (int) (dataStart + begin);
        int count = (int) n;
        switch (dtype) {
            case F32 -> {
                float[] v = new float[count];
                buf.slice(at, count * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                return new HostTensor(dtype, shape, v, null);
            }
            case F64 -> {
                float[] v = new float[count];
                for (int i = 0; i < count; i++) v[i] = (float) buf.getDouble(at + 8 * i);
                return new HostTensor(dtype, shape, v, null);
            }
            case I32 -> {
                int[] v = new int[count];
                buf.slice(at, count * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
                return new HostTensor(dtype, shape, null, v);
            }
            case I64 -> {
                int[] v = new int[count];
                for (int i = 0; i < count; i++) {
                    long x = buf.getLong(at + 8 * i);
                    if (x != (int) x) throw new FormatException(where + ": value " + x + " does not fit in int32");
                    v[i] = (int) x;
                }
                return new HostTensor(dtype, shape, null, v);
            }
            default -> {
                int[] v = new int[count];
                for (int i = 0; i < count; i++) v[i] = buf.get(at + i) & 0xFF;
                return new HostTensor(dtype, shape, null, v);
            }
        }
    }

    /** Writes the tensors (sorted by name) atomically: a temp file renamed over the target. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] encoded = encode(tensors, metadata);
        AtomicFiles.write(file, out -> out.write(encoded));
    }

    public static byte[] encode(Map<String, HostTensor> tensors, Map<String, String> metadata) {
        Map<String, HostTensor> sorted = new TreeMap<>(tensors);
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
        if (8L + padded + off > Integer.MAX_VALUE) throw new IllegalArgumentException("safetensors file over 2 GiB");
        ByteBuffer buf = ByteBuffer.allocate((int) (8 + padded + off)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded);
        buf.put(h);
        for (int i = h.length; i < padded; i++) buf.put((byte) ' ');
        for (HostTensor t : sorted.values()) {
            switch (storedType(t)) {
                case F32 -> {
                    for (float v : t.floats()) buf.putFloat(v);
                }
                case I32 -> {
                    for (int v : t.ints()) buf.putInt(v);
                }
                default -> {
                    for (int v : t.ints()) buf.put((byte) v);
                }
            }
        }
        return buf.array();
    }

    /** Floats are written as F32; U8/BOOL stay bytes; other integers as I32. */
    private static DType storedType(HostTensor t) {
        if (t.floats() != null) return DType.F32;
        return (t.dtype() == DType.U8 || t.dtype() == DType.BOOL) ? t.dtype() : DType.I32;
    }
}
