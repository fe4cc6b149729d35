package dev.vavl4j.media.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough of .npy for the fixtures: little-endian float32 or uint8, C order, any shape. */
record TestNpy(long[] shape, float[] floats, byte[] bytes) {
    static TestNpy read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int major = b.get(6);
        int headerLen = major == 1 ? b.getShort(8) & 0xffff : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(b.array(), start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher descr = Pattern.compile("'descr':\\s*'([^']+)'").matcher(header);
        Matcher shape = Pattern.compile("'shape':\\s*\\(([^)]*)\\)").matcher(header);
        if (!descr.find() || !shape.find() || header.contains("'fortran_order': True")) throw new IOException(file + ": " + header);
        long[] dims = Arrays.stream(shape.group(1).split(",")).map(String::strip).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
        int n = (int) Arrays.stream(dims).reduce(1, (x, y) -> x * y);
        b.position(start + headerLen);
        return switch (descr.group(1)) {
            case "<f4" -> {
                float[] f = new float[n];
                b.asFloatBuffer().get(f);
                yield new TestNpy(dims, f, null);
            }
            case "|u1" -> {
                byte[] u = new byte[n];
                b.get(u);
                yield new TestNpy(dims, null, u);
            }
            default -> throw new IOException(file + ": dtype " + descr.group(1));
        };
    }
}
