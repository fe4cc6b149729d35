package dev.vavl4j.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.model.VavlConfig.Task;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns manifest label columns into model targets and model outputs back into answers.
 * Classification: the columns are per-class scores (soft or one-hot); the target is kept as given and the
 * loss uses its first argmax (spec §5); outputs decode to softmax probabilities. Regression: each attribute
 * is min/max scaled to [0, 1] with the training split's minimum and maximum; outputs decode back to the
 * original units.
 *
 * <p>{@code min} and {@code max} are null for classification (they exist only for regression).
 */
public record LabelCodec(Task task, List<String> columns, double[] min, double[] max) {
    private static final Set<String> KEYS = Set.of("task", "columns", "min", "max");
    private static final ObjectMapper JSON = dev.vavl4j.io.JsonFiles.strictMapper(ObjectMapper.class);

    public LabelCodec {
        columns = List.copyOf(columns);
        if (columns.isEmpty()) throw new IllegalArgumentException("a label codec needs at least one column");
        if (task == Task.REGRESSION) {
            if (min == null || max == null || min.length != columns.size() || max.length != columns.size()) {
                throw new IllegalArgumentException("regression needs min and max for each of the " + columns.size() + " columns");
            }
        }
    }

    /**
     * Fits the codec. Classification: every score must be ≥ 0 and each row must have a positive score
     * (else a {@link DataException} naming the manifest line). Regression: a column constant over the
     * training split is an error naming it.
     */
    public static LabelCodec fit(Task task, List<String> columns, List<ManifestRow> train, String source) {
        if (columns.isEmpty()) throw new DataException(source + ": no label columns given");
        if (train.isEmpty()) throw new DataException(source + ": no training rows to fit the labels on");
        if (task == Task.CLASSIFICATION && columns.size() < 2) {
            throw new DataException(source + ": classification needs at least 2 label columns, got " + columns);
        }
        int c = columns.size();
        for (ManifestRow r : train) {
            if (r.labels().length != c) {
                throw new IllegalArgumentException("line " + r.line() + " has " + r.labels().length + " labels, expected " + c);
            }
        }
        if (task == Task.CLASSIFICATION) {
            for (ManifestRow r : train) {
                boolean positive = false;
                for (int j = 0; j < c; j++) {
                    double v = r.labels()[j];
                    if (!(v >= 0)) {
                        throw new DataException(source + ": line " + r.line() + ", column '" + columns.get(j)
                                + "': class score " + v + " is negative");
                    }
                    positive |= v > 0;
                }
                if (!positive) throw new DataException(source + ": line " + r.line() + ": every class score is 0, so there is no target class");
            }
            return new LabelCodec(task, columns, null, null);
        }
        double[] min = new double[c], max = new double[c];
        java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (ManifestRow r : train) {
            for (int j = 0; j < c; j++) {
                min[j] = Math.min(min[j], r.labels()[j]);
                max[j] = Math.max(max[j], r.labels()[j]);
            }
        }
        for (int j = 0; j < c; j++) {
            if (!(max[j] > min[j])) {
                throw new DataException(source + ": column '" + columns.get(j) + "' is constant (" + min[j]
                        + ") over the training split, so it cannot be scaled");
            }
        }
        return new LabelCodec(task, columns, min, max);
    }

    public int outputs() {
        return columns.size();
    }

    /** The model target of one row's raw labels. */
    public float[] encode(double[] raw) {
        checkLength(raw.length);
        float[] out = new float[raw.length];
        for (int j = 0; j < raw.length; j++) {
            out[j] = (float) (task == Task.CLASSIFICATION ? raw[j] : (raw[j] - min[j]) / (max[j] - min[j]));
        }
        return out;
    }

    /** The first argmax of the raw scores (classification). */
    public static int targetClass(double[] raw) {
        if (raw.length == 0) throw new IllegalArgumentException("no scores");
        int best = 0;
        for (int j = 1; j < raw.length; j++) if (raw[j] > raw[best]) best = j;
        return best;
    }

    /** Scores of one model output row: softmax probabilities, or attribute values in original units. */
    public double[] decode(float[] out, int offset) {
        int c = outputs();
        if (offset < 0 || offset + c > out.length) {
            throw new IllegalArgumentException("row at offset " + offset + " of " + c + " values is outside " + out.length + " outputs");
        }
        double[] res = new double[c];
        if (task == Task.REGRESSION) {
            for (int j = 0; j < c; j++) res[j] = out[offset + j] * (max[j] - min[j]) + min[j];
            return res;
        }
        // Subtracting the max keeps exp() ≤ 1, so large logits cannot overflow.
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) m = Math.max(m, out[offset + j]);
        double sum = 0;
        for (int j = 0; j < c; j++) {
            res[j] = Math.exp(out[offset + j] - m);
            sum += res[j];
        }
        for (int j = 0; j < c; j++) res[j] /= sum;
        return res;
    }

    /**
     * Compact JSON: {"task": ..., "columns": [...], "min": [...], "max": [...]} (min/max only for regression);
     * {@link #fromJson} reads it back exactly.
     */
    public String toJson() {
        try {
            return JSON.writeValueAsString(tree());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);   // a tree of numbers and strings always serializes
        }
    }

    private ObjectNode tree() {
        ObjectNode o = JSON.createObjectNode();
        o.put("task", task.name().toLowerCase(Locale.ROOT));
        ArrayNode cols = o.putArray("columns");
        columns.forEach(cols::add);
        if (task == Task.REGRESSION) {
            ArrayNode mn = o.putArray("min"), mx = o.putArray("max");
            for (double v : min) mn.add(v);
            for (double v : max) mx.add(v);
        }
        return o;
    }

    /**
     * Reads {@link #toJson}'s form. {@code json} null or blank means the field is missing; every error is a
     * one-line {@link DataException} starting with {@code source}.
     */
    public static LabelCodec fromJson(String json, String source) {
        if (json == null || json.isBlank()) throw new DataException(source + ": missing (expected a JSON object)");
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new DataException(source + ": not valid JSON (" + dev.vavl4j.io.JsonFiles.describe(e) + ")");
        }
        return fromTree(node, source);
    }

    private static LabelCodec fromTree(JsonNode node, String source) {
        String where = source;
        if (node == null || node.isMissingNode()) throw new DataException(where + ": missing (expected a JSON object)");
        if (!node.isObject()) throw new DataException(where + ": expected a JSON object, got " + node);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) throw new DataException(where + ": unknown key '" + k + "' (known: columns, max, min, task)");
        }
        JsonNode t = node.get("task");
        Task task;
        if (t != null && t.isTextual() && t.asText().equals("classification")) task = Task.CLASSIFICATION;
        else if (t != null && t.isTextual() && t.asText().equals("regression")) task = Task.REGRESSION;
        else throw new DataException(where + ": task must be \"classification\" or \"regression\", got " + t);

        JsonNode cols = node.get("columns");
        if (cols == null || !cols.isArray() || cols.isEmpty()) {
            throw new DataException(where + ": columns must be a non-empty array of names, got " + cols);
        }
        List<String> columns = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode c : cols) {
            if (!c.isTextual() || c.asText().isEmpty()) throw new DataException(where + ": column name " + c + " is not a non-empty string");
            if (!seen.add(c.asText())) throw new DataException(where + ": column '" + c.asText() + "' appears twice");
            columns.add(c.asText());
        }
        if (task == Task.CLASSIFICATION) {
            if (columns.size() < 2) throw new DataException(where + ": classification needs at least 2 columns, got " + columns);
            if (node.has("min") || node.has("max")) throw new DataException(where + ": min/max are only for regression");
            return new LabelCodec(task, columns, null, null);
        }
        double[] min = numbers(where, node, "min", columns.size()), max = numbers(where, node, "max", columns.size());
        for (int j = 0; j < columns.size(); j++) {
            if (!(max[j] > min[j])) {
                throw new DataException(where + ": column '" + columns.get(j) + "' has max " + max[j] + " ≤ min " + min[j]);
            }
        }
        return new LabelCodec(task, columns, min, max);
    }

    private void checkLength(int n) {
        if (n != outputs()) throw new IllegalArgumentException(n + " label values, expected " + outputs() + " " + columns);
    }

    private static double[] numbers(String where, JsonNode node, String key, int n) {
        JsonNode a = node.get(key);
        if (a == null || !a.isArray() || a.size() != n) {
            throw new DataException(where + ": " + key + " must be an array of " + n + " numbers, got " + a);
        }
        double[] out = new double[n];
        for (int j = 0; j < n; j++) {
            JsonNode v = a.get(j);
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                throw new DataException(where + ": " + key + "[" + j + "] must be a finite number, got " + v);
            }
            out[j] = v.asDouble();
        }
        return out;
    }
}
