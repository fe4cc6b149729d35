package dev.vavl4j.model;

import dev.vavl4j.ConfigException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The model and optimiser configuration of spec §1 (keys in snake_case, as in config.json). Defaults are
 * the paper's setup; {@code recon_weight} defaults to 2.0 for classification and 1.0 for regression.
 * Build it with {@link #fromJson}, {@link #load} or {@link #with}, which validate (spec §9).
 */
public record VavlConfig(
        int audioDim, int visualDim, int projDim, int modelDim, int heads, int ffExpansion, int convKernel,
        int modalityLayers, int sharedLayers, int headHidden1, int headHidden2, int outputs, Task task,
        double dropout, double headDropout, double reconWeight, double lnEps, double bnEps, double bnMomentum,
        double lr, double beta1, double beta2, double adamEps, double weightDecay) {

    public enum Task { CLASSIFICATION, REGRESSION }

    private static final ObjectMapper JSON = dev.vavl4j.io.JsonFiles.strictMapper(ObjectMapper.class);
    private static final Set<String> KEYS = Set.of("audio_dim", "visual_dim", "proj_dim", "model_dim", "heads",
            "ff_expansion", "conv_kernel", "modality_layers", "shared_layers", "head_hidden", "outputs", "task",
            "dropout", "head_dropout", "recon_weight", "ln_eps", "bn_eps", "bn_momentum", "lr", "beta1", "beta2",
            "adam_eps", "weight_decay");

    public static VavlConfig paperDefaults() {
        return fromTree(JSON.createObjectNode(), "defaults");
    }

    public int headDim() {
        return modelDim / heads;
    }

    public boolean classification() {
        return task == Task.CLASSIFICATION;
    }

    public static VavlConfig load(Path file) {
        return fromJson(dev.vavl4j.io.JsonFiles.readObjectText(file, ConfigException::new), file.toString());
    }

    /**
     * A saved configuration (a checkpoint's config.json): read and validated as {@link #load} does, and then
     * every key of spec §1 must be present, since a missing one would silently take today's default instead
     * of the value the model was trained with. Errors are one-line {@link ConfigException}s naming the file.
     */
    public static VavlConfig loadComplete(Path file) {
        String text = dev.vavl4j.io.JsonFiles.readObjectText(file, ConfigException::new);
        VavlConfig c = fromJson(text, file.toString());
        java.util.TreeSet<String> missing = new java.util.TreeSet<>(KEYS);
        try {
            JSON.readTree(text).fieldNames().forEachRemaining(missing::remove);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);   // fromJson parsed the same text
        }
        if (!missing.isEmpty()) {
            throw new ConfigException(file + ": missing " + (missing.size() == 1 ? "key " : "keys ") + missing
                    + " (a saved configuration names every key of spec §1)");
        }
        return c;
    }

    /**
     * Builds a config from the keys present in the JSON object {@code json}; the others keep their defaults.
     * Every error is a one-line {@link ConfigException} starting with {@code source}: not valid JSON, not an
     * object, an unknown key, or a key with a bad value (naming the key and the value).
     */
    public static VavlConfig fromJson(String json, String source) {
        JsonNode node;
        try {
            node = json == null ? null : JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid JSON (" + dev.vavl4j.io.JsonFiles.describe(e) + ")");
        }
        if (node == null || !node.isObject()) throw new ConfigException(source + ": expected a JSON object");
        return fromTree(node, source);
    }

    /** {@link #fromJson} of an already parsed object. */
    private static VavlConfig fromTree(JsonNode node, String source) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) throw new ConfigException(source + ": unknown key '" + k + "' (known: " + new java.util.TreeSet<>(KEYS) + ")");
        }
        Reader r = new Reader(node);
        try {
            Task task = switch (r.string("task", "classification")) {
                case "classification" -> Task.CLASSIFICATION;
                case "regression" -> Task.REGRESSION;
                default -> throw new ConfigException("task must be \"classification\" or \"regression\", got "
                        + node.get("task"));
            };
            int[] hh = r.intPair("head_hidden", 512, 256);
            VavlConfig c = new VavlConfig(r.integer("audio_dim", 1024), r.integer("visual_dim", 1408), r.integer("proj_dim", 50),
                    r.integer("model_dim", 512), r.integer("heads", 8), r.integer("ff_expansion", 4),
                    r.integer("conv_kernel", 31), r.integer("modality_layers", 3), r.integer("shared_layers", 2),
                    hh[0], hh[1], r.integer("outputs", task == Task.CLASSIFICATION ? 6 : 3), task,
                    r.number("dropout", 0.1), r.number("head_dropout", 0.2),
                    r.number("recon_weight", task == Task.CLASSIFICATION ? 2.0 : 1.0), r.number("ln_eps", 1e-5),
                    r.number("bn_eps", 1e-5), r.number("bn_momentum", 0.1), r.number("lr", 5e-5),
                    r.number("beta1", 0.95), r.number("beta2", 0.999), r.number("adam_eps", 1e-8),
                    r.number("weight_decay", 5e-7));
            validate(c);
            return c;
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    /**
     * This config as a compact JSON object with every spec key, in the spec's order; {@link #fromJson} reads
     * it back to an equal config (doubles are written in their shortest exact form).
     */
    public String toJson() {
        return write(JSON.writer());
    }

    /** {@link #toJson} indented as config.json files are written (Jackson's default pretty printer). */
    public String toPrettyJson() {
        return write(JSON.writerWithDefaultPrettyPrinter());
    }

    private String write(ObjectWriter w) {
        try {
            return w.writeValueAsString(tree());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);   // a tree of numbers and strings always serializes
        }
    }

    /** This config as a JSON object with the spec's keys. */
    private ObjectNode tree() {
        ObjectNode o = JSON.createObjectNode();
        o.put("audio_dim", audioDim).put("visual_dim", visualDim).put("proj_dim", projDim).put("model_dim", modelDim)
                .put("heads", heads).put("ff_expansion", ffExpansion).put("conv_kernel", convKernel)
                .put("modality_layers", modalityLayers).put("shared_layers", sharedLayers);
        o.putArray("head_hidden").add(headHidden1).add(headHidden2);
        o.put("outputs", outputs).put("task", task.name().toLowerCase(java.util.Locale.ROOT))
                .put("dropout", dropout).put("head_dropout", headDropout).put("recon_weight", reconWeight)
                .put("ln_eps", lnEps).put("bn_eps", bnEps).put("bn_momentum", bnMomentum).put("lr", lr)
                .put("beta1", beta1).put("beta2", beta2).put("adam_eps", adamEps).put("weight_decay", weightDecay);
        return o;
    }

    /** A copy with some keys replaced, e.g. {@code with(Map.of("lr", 1e-3))}. */
    public VavlConfig with(Map<String, Object> overrides) {
        ObjectNode o = tree();
        overrides.forEach((k, v) -> o.set(k, JSON.valueToTree(v)));
        return fromTree(o, "config override");
    }

    /** Largest {@code audio_dim} and {@code visual_dim}: 64 Ki features per frame. */
    public static final int MAX_INPUT_DIM = 1 << 16;
    /** Largest {@code proj_dim}, {@code model_dim} and each of {@code head_hidden}. */
    public static final int MAX_WIDTH = 1 << 14;
    /** Largest {@code ff_expansion}, and largest feed-forward width {@code ff_expansion × model_dim}. */
    public static final int MAX_FF_EXPANSION = 64, MAX_FF_WIDTH = 1 << 18;
    /** Largest {@code conv_kernel}. */
    public static final int MAX_CONV_KERNEL = 1023;
    /** Largest {@code modality_layers} and {@code shared_layers}. */
    public static final int MAX_LAYERS = 64;
    /** Largest {@code outputs}. */
    public static final int MAX_OUTPUTS = 4096;
    /** Most elements of one weight tensor (2^30 float32 values, 4 GiB): every product of two sizes in §8 stays below it. */
    public static final long MAX_TENSOR_ELEMENTS = 1L << 30;

    /**
     * Spec §9. Sizes are bounded first (each alone, then the products that shape a tensor, computed in long),
     * so nothing later computes a size that overflows an int or allocates for a configuration that was
     * never going to fit; every message names the key(s) and the value.
     */
    private static void validate(VavlConfig c) {
        range("audio_dim", c.audioDim, 1, MAX_INPUT_DIM);
        range("visual_dim", c.visualDim, 1, MAX_INPUT_DIM);
        range("proj_dim", c.projDim, 1, MAX_WIDTH);
        range("model_dim", c.modelDim, 1, MAX_WIDTH);
        range("heads", c.heads, 1, MAX_WIDTH);
        range("ff_expansion", c.ffExpansion, 1, MAX_FF_EXPANSION);
        range("conv_kernel", c.convKernel, 1, MAX_CONV_KERNEL);
        range("modality_layers", c.modalityLayers, 0, MAX_LAYERS);
        range("shared_layers", c.sharedLayers, 0, MAX_LAYERS);
        range("head_hidden[0]", c.headHidden1, 1, MAX_WIDTH);
        range("head_hidden[1]", c.headHidden2, 1, MAX_WIDTH);
        range("outputs", c.outputs, 1, MAX_OUTPUTS);
        if (c.modelDim % 2 != 0) throw new ConfigException("model_dim must be even, got " + c.modelDim);
        if (c.modelDim % c.heads != 0) {
            throw new ConfigException("model_dim " + c.modelDim + " must be divisible by heads " + c.heads);
        }
        if (c.convKernel % 2 == 0) throw new ConfigException("conv_kernel must be odd, got " + c.convKernel);
        if (c.outputs < 2 && c.task == Task.CLASSIFICATION) {
            throw new ConfigException("outputs must be ≥ 2 for classification, got " + c.outputs);
        }
        long ff = (long) c.ffExpansion * c.modelDim;
        if (ff > MAX_FF_WIDTH) {
            throw new ConfigException("ff_expansion × model_dim (the feed-forward width) must be ≤ " + MAX_FF_WIDTH + ", got "
                    + c.ffExpansion + " × " + c.modelDim + " = " + ff);
        }
        // the largest weight tensors of spec §8, [out, in] each
        tensor("ff_expansion × model_dim × model_dim (feed-forward weights)", ff, c.modelDim);
        tensor("proj_dim × audio_dim (audio projection)", c.projDim, c.audioDim);
        tensor("proj_dim × visual_dim (visual projection)", c.projDim, c.visualDim);
        tensor("head_hidden[0] × 2·model_dim (fusion head)", c.headHidden1, 2L * c.modelDim);
        tensor("head_hidden[1] × head_hidden[0]", c.headHidden2, c.headHidden1);
        tensor("audio_dim × head_hidden[1] (audio reconstruction)", c.audioDim, c.headHidden2);
        tensor("visual_dim × head_hidden[1] (visual reconstruction)", c.visualDim, c.headHidden2);
        probability("dropout", c.dropout);
        probability("head_dropout", c.headDropout);
        nonNegative("recon_weight", c.reconWeight);
        positiveReal("ln_eps", c.lnEps);
        positiveReal("bn_eps", c.bnEps);
        // Upper (and float32) bounds of the real-valued keys: the backends compute in float32, so an epsilon
        // below float's normal range would round to 0, and a decay or epsilon above 1 is no
        // training setting but a mistake. The learning rate stays unbounded above: a huge one diverges, and
        // the trainer stops that with a clear error (a test relies on it).
        within("ln_eps", c.lnEps, Float.MIN_NORMAL, 1);
        within("bn_eps", c.bnEps, Float.MIN_NORMAL, 1);
        within("adam_eps", c.adamEps, Float.MIN_NORMAL, 1);
        within("weight_decay", c.weightDecay, 0, 1);
        within("recon_weight", c.reconWeight, 0, 1e6);
        if (!(c.bnMomentum >= 0 && c.bnMomentum <= 1)) throw new ConfigException("bn_momentum must be in [0, 1], got " + c.bnMomentum);
        nonNegative("lr", c.lr);
        if (!(c.beta1 >= 0 && c.beta1 < 1)) throw new ConfigException("beta1 must be in [0, 1), got " + c.beta1);
        if (!(c.beta2 >= 0 && c.beta2 < 1)) throw new ConfigException("beta2 must be in [0, 1), got " + c.beta2);
        positiveReal("adam_eps", c.adamEps);
        nonNegative("weight_decay", c.weightDecay);
    }

    private static void within(String key, double v, double min, double max) {
        if (!(v >= min && v <= max)) throw new ConfigException(key + " must be in [" + min + ", " + max + "], got " + v);
    }

    private static void range(String key, int v, int min, int max) {
        if (v < min || v > max) {
            throw new ConfigException(key + " must be " + (min == 1 ? "positive" : "≥ " + min) + " and at most " + max + ", got " + v);
        }
    }

    private static void tensor(String what, long rows, long cols) {
        long n = rows * cols;   // both < 2^31, so the product fits a long
        if (n > MAX_TENSOR_ELEMENTS) {
            throw new ConfigException(what + " = " + rows + " × " + cols + " = " + n + " elements, more than one weight tensor may hold ("
                    + MAX_TENSOR_ELEMENTS + ")");
        }
    }

    private static void positiveReal(String key, double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw new ConfigException(key + " must be positive, got " + v);
    }

    private static void nonNegative(String key, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new ConfigException(key + " must be ≥ 0, got " + v);
    }

    private static void probability(String key, double v) {
        if (!(v >= 0 && v < 1)) throw new ConfigException(key + " must be in [0, 1), got " + v);
    }

    /** Typed access to optional keys with errors naming the key and the value. */
    private record Reader(JsonNode node) {
        int integer(String key, int dflt) {
            JsonNode v = node.get(key);
            if (v == null) return dflt;
            // an integer key takes a JSON integer only: 2.0 is a typo or a generated value, not a size
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new ConfigException(key + " must be an integer in the int range, got " + v);
            }
            return v.asInt();
        }

        double number(String key, double dflt) {
            JsonNode v = node.get(key);
            if (v == null) return dflt;
            if (!v.isNumber()) throw new ConfigException(key + " must be a number, got " + v);
            return v.asDouble();
        }

        String string(String key, String dflt) {
            JsonNode v = node.get(key);
            if (v == null) return dflt;
            if (!v.isTextual()) throw new ConfigException(key + " must be a string, got " + v);
            return v.asText();
        }

        int[] intPair(String key, int a, int b) {
            JsonNode v = node.get(key);
            if (v == null) return new int[] {a, b};
            if (!v.isArray() || v.size() != 2 || !v.get(0).isIntegralNumber() || !v.get(1).isIntegralNumber()
                    || !v.get(0).canConvertToInt() || !v.get(1).canConvertToInt()) {
                throw new ConfigException(key + " must be two integers [h1, h2], got " + v);
            }
            return new int[] {v.get(0).asInt(), v.get(1).asInt()};
        }
    }
}
