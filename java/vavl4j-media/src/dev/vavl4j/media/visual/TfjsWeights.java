package dev.vavl4j.media.visual;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vavl4j.io.FormatException;
import dev.vavl4j.io.JsonFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of a TF.js weights manifest ({@code *-weights_manifest.json}: groups of {@code paths} and
 * {@code weights}, each weight a name, shape, dtype and optional {@code quantization}) and its binary shards,
 * read from the class path. Values are decoded as tfjs-core's {@code io.decodeWeights} does: float32 as is,
 * uint8/uint16 quantised as {@code min + scale·q} (computed in double, stored as float, like tfjs), float16
 * widened. Shards are little-endian and concatenated per group; weights follow one another in manifest order.
 * Every failure is a {@link FormatException} naming the resource.
 */
public final class TfjsWeights {
    /** One weight: its manifest name, TF shape (HWIO for conv filters) and values in row-major order. */
    public record Tensor(String name, int[] shape, float[] values) {}

    /** Larger than any face network; a larger shard is refused before it is read. */
    private static final int MAX_SHARD = 64 << 20;

    private final String manifest;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> sha256;

    private TfjsWeights(String manifest, Map<String, Tensor> tensors, Map<String, String> sha256) {
        this.manifest = manifest;
        this.tensors = tensors;
        this.sha256 = sha256;
    }

    /**
     * Reads the manifest at class-path resource {@code manifestResource} (e.g.
     * {@code dev/vavl4j/media/visual/tiny_face_detector_model-weights_manifest.json}) and the shards it names,
     * which are looked up beside it.
     */
    public static TfjsWeights fromClassPath(String manifestResource) {
        byte[] manifestBytes = readResource(manifestResource);
        JsonNode root;
        try {
            root = JsonFiles.strictMapper(ObjectMapper.class).readTree(manifestBytes);
        } catch (IOException e) {
            throw new FormatException(manifestResource + ": not a TF.js weights manifest: " + e.getMessage(), e);
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new FormatException(manifestResource + ": a TF.js weights manifest is a non-empty JSON array of groups");
        }
        String dir = manifestResource.contains("/") ? manifestResource.substring(0, manifestResource.lastIndexOf('/') + 1) : "";
        Map<String, String> sha = new LinkedHashMap<>();
        sha.put(baseName(manifestResource), sha256(manifestBytes));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (JsonNode group : root) {
            JsonNode paths = group.get("paths");
            JsonNode weights = group.get("weights");
            if (paths == null || !paths.isArray() || weights == null || !weights.isArray()) {
                throw new FormatException(manifestResource + ": every group needs the arrays \"paths\" and \"weights\"");
            }
            ByteBuffer data = readShards(manifestResource, dir, paths, sha);
            for (JsonNode w : weights) {
                Tensor t = decode(manifestResource, w, data);
                if (out.put(t.name(), t) != null) throw new FormatException(manifestResource + ": weight " + t.name() + " appears twice");
            }
            if (data.hasRemaining()) {
                throw new FormatException(manifestResource + ": shards " + paths + " hold " + data.remaining() + " bytes more than the weights use");
            }
        }
        return new TfjsWeights(manifestResource, Collections.unmodifiableMap(out), Collections.unmodifiableMap(sha));
    }

    /** The weight {@code name}, checked to have {@code expectedShape} (the networks' code states the shapes it needs). */
    public Tensor tensor(String name, int... expectedShape) {
        Tensor t = tensors.get(name);
        if (t == null) throw new FormatException(manifest + ": no weight named " + name);
        if (!Arrays.equals(t.shape(), expectedShape)) {
            throw new FormatException(manifest + ": weight " + name + " has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(expectedShape));
        }
        return t;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    /** The manifest's resource name. */
    public String manifest() {
        return manifest;
    }

    /** SHA-256 (lower-case hex) of the manifest and of each shard, keyed by file name, manifest first. */
    public Map<String, String> sha256() {
        return sha256;
    }

    private static ByteBuffer readShards(String manifest, String dir, JsonNode paths, Map<String, String> sha) {
        byte[][] parts = new byte[paths.size()][];
        long total = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = paths.get(i).asText();
            if (p.isEmpty() || p.contains("..") || p.startsWith("/")) throw new FormatException(manifest + ": bad shard path \"" + p + "\"");
            parts[i] = readResource(dir + p);
            sha.put(p, sha256(parts[i]));
            total += parts[i].length;
        }
        if (total > MAX_SHARD) throw new FormatException(manifest + ": shards hold " + total + " bytes, more than " + MAX_SHARD);
        ByteBuffer all = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] part : parts) all.put(part);
        return all.flip();
    }

    private static Tensor decode(String manifest, JsonNode w, ByteBuffer data) {
        String name = w.path("name").asText("");
        JsonNode shapeNode = w.get("shape");
        if (name.isEmpty() || shapeNode == null || !shapeNode.isArray()) throw new FormatException(manifest + ": a weight without name or shape: " + w);
        int[] shape = new int[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asInt(-1);
            if (shape[i] < 0) throw new FormatException(manifest + ": weight " + name + " has a bad shape " + shapeNode);
            count *= shape[i];
        }
        String dtype = w.path("dtype").asText("");
        if (!dtype.equals("float32")) throw new FormatException(manifest + ": weight " + name + " has dtype " + dtype + "; only float32 weights are read");
        JsonNode q = w.get("quantization");
        String stored = q == null ? "float32" : q.path("dtype").asText("");
        int bytesPer = switch (stored) {
            case "float32" -> 4;
            case "uint16", "float16" -> 2;
            case "uint8" -> 1;
            default -> throw new FormatException(manifest + ": weight " + name + " is quantised as \"" + stored + "\"; known: uint8, uint16, float16");
        };
        if (count * bytesPer > data.remaining()) {
            throw new FormatException(manifest + ": shards end inside weight " + name + " (needs " + count * bytesPer
                    + " bytes, " + data.remaining() + " left): the .bin is short or does not match the manifest");
        }
        float[] v = new float[(int) count];
        switch (stored) {
            case "float32" -> { for (int i = 0; i < v.length; i++) v[i] = data.getFloat(); }
            case "float16" -> { for (int i = 0; i < v.length; i++) v[i] = Float.float16ToFloat(data.getShort()); }
            default -> {
                if (!q.has("scale") || !q.has("min")) throw new FormatException(manifest + ": quantised weight " + name + " lacks scale or min");
                double scale = q.get("scale").asDouble();
                double min = q.get("min").asDouble();
                boolean u8 = stored.equals("uint8");
                for (int i = 0; i < v.length; i++) {
                    int code = u8 ? data.get() & 0xff : data.getShort() & 0xffff;
                    v[i] = (float) (code * scale + min); // tfjs: v * scale + min in double, stored in a Float32Array
                }
            }
        }
        return new Tensor(name, shape, v);
    }

    private static byte[] readResource(String resource) {
        ClassLoader loader = TfjsWeights.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) throw new FormatException("class-path resource " + resource + " not found (the weights ship in the vavl4j-media jar)");
            byte[] b = in.readNBytes(MAX_SHARD + 1);
            if (b.length > MAX_SHARD) throw new FormatException("class-path resource " + resource + " is larger than " + MAX_SHARD + " bytes");
            return b;
        } catch (IOException e) {
            throw new FormatException("class-path resource " + resource + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static String baseName(String resource) {
        return resource.substring(resource.lastIndexOf('/') + 1);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
