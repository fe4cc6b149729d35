package dev.vavl4j.testutil;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.SafeTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Damages a saved checkpoint the ways a test needs: edit checkpoint.json, rewrite a tensor file, flip a bit,
 * and (to get past the checksums to the check under test) record the files' new SHA-256s as a save would.
 */
public final class CheckpointTamper {
    private CheckpointTamper() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] FILES = {"config.json", "normalization.safetensors", "model.safetensors", "optimizer.safetensors"};

    /** Edits checkpoint.json's object in place (checksums untouched). */
    public static void editMeta(Path dir, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode meta = (ObjectNode) JSON.readTree(dir.resolve("checkpoint.json").toFile());
        edit.accept(meta);
        Files.writeString(dir.resolve("checkpoint.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
    }

    /** Rewrites a safetensors file of the checkpoint after {@code edit} changed its tensors (checksums untouched). */
    public static void editTensors(Path dir, String file, Consumer<Map<String, HostTensor>> edit) throws IOException {
        Map<String, HostTensor> t = new LinkedHashMap<>(SafeTensors.read(dir.resolve(file)));
        edit.accept(t);
        SafeTensors.write(dir.resolve(file), t, file.equals("model.safetensors") ? Map.of("format", "pt") : Map.of());
    }

    /** A copy of float tensor {@code name} with element {@code i} set to {@code v}. */
    public static void setElement(Map<String, HostTensor> t, String name, int i, float v) {
        HostTensor old = t.get(name);
        if (old == null) throw new IllegalArgumentException("no tensor " + name + " in " + t.keySet());
        float[] f = old.floats().clone();
        f[i] = v;
        t.put(name, HostTensor.ofFloats(f, old.shape()));
    }

    /**
     * Flips the lowest mantissa bit of the first float32 of the data area of a safetensors file: the file stays
     * well-formed and every value finite, one weight changes by one ulp.
     */
    public static void flipLowBitOfFirstValue(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        long headerLen = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int at = (int) (8 + headerLen);
        b[at] ^= 1;
        Files.write(file, b);
    }

    /** Records the SHA-256 of every checkpoint file present in checkpoint.json's 'files', as a save does. */
    public static void rehash(Path dir) throws IOException {
        editMeta(dir, m -> {
            ObjectNode files = m.putObject("files");
            for (String f : FILES) {
                if (Files.exists(dir.resolve(f))) files.put(f, sha256(dir.resolve(f)));
            }
        });
    }

    public static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
