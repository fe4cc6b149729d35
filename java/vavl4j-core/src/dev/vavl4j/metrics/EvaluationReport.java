package dev.vavl4j.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Test metrics per prediction source: audio-only (every utterance with audio), visual-only (every one with
 * visual) and fusion (every one with both). {@code labels} are the class names or attribute names. A null
 * source is a head the model does not have (a model of an audio-only corpus has no visual or fusion head):
 * the table and the JSON leave it out, where a source with no samples shows {@code n = 0}.
 */
public record EvaluationReport(String split, List<String> labels, ModalityReport audio, ModalityReport visual,
                               ModalityReport fusion) {

    private static final ObjectMapper JSON = dev.vavl4j.io.JsonFiles.strictMapper(ObjectMapper.class);
    private static final String[] SOURCE_NAMES = {"audio", "visual", "fusion"};
    private static final String[] CLASSIFICATION_HEADERS = {"accuracy", "f1_macro", "f1_micro", "precision", "recall"};

    /**
     * Checks once what the writers rely on: one label per class / attribute in every source, one task for
     * all sources, and at least one source.
     */
    public EvaluationReport {
        if (split == null) throw new IllegalArgumentException("split must not be null");
        if (labels == null) throw new IllegalArgumentException("labels must not be null");
        labels = List.copyOf(labels);
        if (audio == null && visual == null && fusion == null) throw new IllegalArgumentException("no source: a model has at least one head");
        boolean anyClassification = false, anyRegression = false;
        for (ModalityReport m : new ModalityReport[] {audio, visual, fusion}) {
            if (m == null) continue;
            int width = -1;
            if (m.classification() != null) {
                anyClassification = true;
                width = m.classification().confusion().length;
            } else if (m.regression() != null) {
                anyRegression = true;
                width = m.regression().ccc().length;
            }
            if (width >= 0 && width != labels.size()) {
                throw new IllegalArgumentException(m.source() + ": " + width + " classes/attributes but "
                        + labels.size() + " labels");
            }
        }
        if (anyClassification && anyRegression) {
            throw new IllegalArgumentException("sources mix classification and regression metrics");
        }
    }

    /**
     * JSON: {"split", "labels", "audio": {...}, "visual": {...}, "fusion": {...}}; each source has "n" and either
     * "accuracy", "f1_macro", "f1_micro", "precision_macro", "recall_macro", "confusion" (rows = truth), or
     * "ccc": {attribute: value} and "ccc_mean". A source with n = 0 has only "n": 0; a head the model does not have
     * (a null source) is absent. Compact; see
     * {@link #toPrettyJson} for the indented form the CLI writes.
     */
    public String toJson() {
        return write(JSON.writer());
    }

    /** {@link #toJson} indented (Jackson's default pretty printer), as {@code evaluate --json} writes it. */
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

    private ObjectNode tree() {
        ObjectNode root = JSON.createObjectNode();
        root.put("split", split);
        ArrayNode labelArray = root.putArray("labels");
        labels.forEach(labelArray::add);
        ModalityReport[] sources = sources();
        for (int s = 0; s < sources.length; s++) if (sources[s] != null) root.set(SOURCE_NAMES[s], sourceJson(sources[s]));
        return root;
    }

    private ObjectNode sourceJson(ModalityReport m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("n", m == null ? 0 : m.n());
        if (m == null) return o;
        ClassificationMetrics c = m.classification();
        RegressionMetrics r = m.regression();
        if (c != null) {
            o.put("accuracy", c.accuracy());
            o.put("f1_macro", c.f1Macro());
            o.put("f1_micro", c.f1Micro());
            o.put("precision_macro", c.precisionMacro());
            o.put("recall_macro", c.recallMacro());
            ArrayNode rows = o.putArray("confusion");
            for (int[] row : c.confusion()) {
                ArrayNode a = rows.addArray();
                for (int v : row) a.add(v);
            }
        } else if (r != null) {
            ObjectNode ccc = o.putObject("ccc"); // ObjectNode keeps insertion order: label order
            for (int i = 0; i < labels.size(); i++) ccc.put(labels.get(i), r.ccc()[i]);
            o.put("ccc_mean", r.cccMean());
        }
        return o;
    }

    /** A fixed-width console table: one row per source, one column per metric; confusion matrices after it. */
    public String toTable() {
        ModalityReport[] sources = sources();
        boolean regression = false;
        for (ModalityReport m : sources) regression |= m != null && m.regression() != null;

        List<String> header = new ArrayList<>(List.of("source", "n"));
        if (regression) {
            header.addAll(labels);
            header.add("ccc_mean");
        } else {
            header.addAll(List.of(CLASSIFICATION_HEADERS));
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(header.toArray(String[]::new));
        for (int s = 0; s < sources.length; s++) if (sources[s] != null) rows.add(summaryRow(SOURCE_NAMES[s], sources[s], header.size()));

        StringBuilder out = new StringBuilder("split: ").append(split).append('\n');
        TextTable.render(rows, false, out);
        for (int s = 0; s < sources.length; s++) {
            ModalityReport m = sources[s];
            if (m == null || m.classification() == null) continue;
            out.append('\n').append("confusion ").append(SOURCE_NAMES[s])
                    .append(" (rows = truth, columns = predicted)\n");
            TextTable.render(confusionRows(m.classification().confusion()), true, out);
        }
        return out.toString();
    }

    private static String[] summaryRow(String name, ModalityReport m, int columns) {
        String[] row = new String[columns];
        row[0] = name;
        row[1] = Integer.toString(m == null ? 0 : m.n());
        double[] values = null;
        if (m != null && m.classification() != null) {
            ClassificationMetrics c = m.classification();
            values = new double[] {c.accuracy(), c.f1Macro(), c.f1Micro(), c.precisionMacro(), c.recallMacro()};
        } else if (m != null && m.regression() != null) {
            RegressionMetrics r = m.regression();
            values = java.util.Arrays.copyOf(r.ccc(), r.ccc().length + 1);
            values[r.ccc().length] = r.cccMean();
        }
        for (int i = 2; i < columns; i++) row[i] = values == null ? "-" : String.format(Locale.ROOT, "%.4f", values[i - 2]);
        return row;
    }

    private List<String[]> confusionRows(int[][] confusion) {
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[labels.size() + 1];
        header[0] = "";
        for (int i = 0; i < labels.size(); i++) header[i + 1] = labels.get(i);
        rows.add(header);
        for (int t = 0; t < confusion.length; t++) {
            String[] row = new String[confusion.length + 1];
            row[0] = labels.get(t);
            for (int p = 0; p < confusion.length; p++) row[p + 1] = Integer.toString(confusion[t][p]);
            rows.add(row);
        }
        return rows;
    }

    private ModalityReport[] sources() {
        return new ModalityReport[] {audio, visual, fusion};
    }
}
