package dev.vavl4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON keys and values, the console table, and the invariants of the report records. */
class EvaluationReportTest {
    private static final List<String> CLASSES = List.of("angry", "happy", "sad");
    private static final List<String> ATTRS = List.of("arousal", "dominance", "valence");

    /** audio: the sklearn doc example (acc 1/3, f1 macro 0.2667); visual: perfect; fusion: no samples. */
    private static EvaluationReport classification() {
        ClassificationMetrics a = ClassificationMetrics.of(new int[] {0, 1, 2, 0, 1, 2}, new int[] {0, 2, 1, 0, 0, 1}, 3);
        ClassificationMetrics v = ClassificationMetrics.of(new int[] {0, 1, 2, 2}, new int[] {0, 1, 2, 2}, 3);
        return new EvaluationReport("test", CLASSES, new ModalityReport("audio", 6, a, null),
                new ModalityReport("visual", 4, v, null), new ModalityReport("fusion", 0, null, null));
    }

    /** audio: ccc 4/11, −1, 0 (mean −7/33); visual: no samples; fusion: perfect. */
    private static EvaluationReport regression() {
        RegressionMetrics a = RegressionMetrics.of(new double[] {1, 1, 7, 2, 2, 7, 3, 3, 7},
                new double[] {2, 3, 7, 4, 2, 7, 6, 1, 7}, 3, 3);
        double[] y = {1, 2, 3, 4, 5, 7};
        RegressionMetrics f = RegressionMetrics.of(y, y.clone(), 2, 3);
        return new EvaluationReport("dev", ATTRS, new ModalityReport("audio", 3, null, a),
                new ModalityReport("visual", 0, null, null), new ModalityReport("fusion", 2, null, f));
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @Test
    void classificationJson() throws Exception {
        JsonNode json = MAPPER.readTree(classification().toJson());
        assertEquals(List.of("split", "labels", "audio", "visual", "fusion"), keys(json));
        assertEquals("test", json.get("split").asText());
        assertEquals("[\"angry\",\"happy\",\"sad\"]", json.get("labels").toString());

        JsonNode audio = json.get("audio");
        assertEquals(List.of("n", "accuracy", "f1_macro", "f1_micro", "precision_macro", "recall_macro", "confusion"),
                keys(audio));
        assertEquals(6, audio.get("n").asInt());
        assertEquals(1.0 / 3, audio.get("accuracy").asDouble(), 1e-12);
        assertEquals(0.8 / 3, audio.get("f1_macro").asDouble(), 1e-12);
        assertEquals(1.0 / 3, audio.get("f1_micro").asDouble(), 1e-12);
        assertEquals(2.0 / 9, audio.get("precision_macro").asDouble(), 1e-12);
        assertEquals(1.0 / 3, audio.get("recall_macro").asDouble(), 1e-12);
        assertEquals("[[2,0,0],[1,0,1],[0,2,0]]", audio.get("confusion").toString());

        assertEquals(1.0, json.get("visual").get("f1_macro").asDouble(), 1e-12);
        assertEquals("{\"n\":0}", json.get("fusion").toString());

        // The indented form is the same tree.
        assertEquals(json, MAPPER.readTree(classification().toPrettyJson()));
        assertTrue(classification().toPrettyJson().contains("\n  \"split\" : \"test\""), classification().toPrettyJson());
    }

    @Test
    void regressionJson() throws Exception {
        JsonNode json = MAPPER.readTree(regression().toJson());
        assertEquals("dev", json.get("split").asText());
        JsonNode audio = json.get("audio");
        assertEquals(List.of("n", "ccc", "ccc_mean"), keys(audio));
        assertEquals(3, audio.get("n").asInt());
        assertEquals(ATTRS, keys(audio.get("ccc"))); // label order
        assertEquals(4.0 / 11, audio.get("ccc").get("arousal").asDouble(), 1e-12);
        assertEquals(-1.0, audio.get("ccc").get("dominance").asDouble(), 1e-12);
        assertEquals(0.0, audio.get("ccc").get("valence").asDouble(), 1e-12);
        assertEquals((4.0 / 11 - 1) / 3, audio.get("ccc_mean").asDouble(), 1e-12);
        assertEquals("{\"n\":0}", json.get("visual").toString());
        assertEquals(1.0, json.get("fusion").get("ccc_mean").asDouble(), 1e-12);
    }

    @Test
    void classificationTableHasTheNumbersAndConfusionMatrices() {
        String table = classification().toTable();
        List<String> lines = table.lines().toList();
        String header = lines.stream().filter(l -> l.startsWith("source")).findFirst().orElseThrow();
        for (String col : List.of("n", "accuracy", "f1_macro", "f1_micro", "precision", "recall")) {
            assertTrue(header.contains(col), col);
        }
        String audio = lines.stream().filter(l -> l.startsWith("audio")).findFirst().orElseThrow();
        assertEquals(List.of("audio", "6", "0.3333", "0.2667", "0.3333", "0.2222", "0.3333"),
                List.of(audio.trim().split(" +")));
        String visual = lines.stream().filter(l -> l.startsWith("visual")).findFirst().orElseThrow();
        assertEquals(List.of("visual", "4", "1.0000", "1.0000", "1.0000", "1.0000", "1.0000"),
                List.of(visual.trim().split(" +")));
        String fusion = lines.stream().filter(l -> l.startsWith("fusion")).findFirst().orElseThrow();
        assertEquals(List.of("fusion", "0", "-", "-", "-", "-", "-"), List.of(fusion.trim().split(" +")));

        // Fixed width: every metric starts in the same column in every row.
        assertEquals(header.indexOf("accuracy"), audio.indexOf("0.3333"));
        assertEquals(header.indexOf("accuracy"), fusion.indexOf("-"));

        // Confusion matrices of the two sources with samples, class names as headers, rows = truth.
        assertTrue(table.contains("confusion audio"));
        assertTrue(table.contains("confusion visual"));
        assertFalse(table.contains("confusion fusion"));
        int at = lines.indexOf(lines.stream().filter(l -> l.startsWith("confusion audio")).findFirst().orElseThrow());
        assertEquals(List.of("angry", "happy", "sad"), List.of(lines.get(at + 1).trim().split(" +")));
        assertEquals(List.of("angry", "2", "0", "0"), List.of(lines.get(at + 2).trim().split(" +")));
        assertEquals(List.of("happy", "1", "0", "1"), List.of(lines.get(at + 3).trim().split(" +")));
        assertEquals(List.of("sad", "0", "2", "0"), List.of(lines.get(at + 4).trim().split(" +")));
        for (String line : lines) assertEquals(line.stripTrailing(), line);
    }

    @Test
    void regressionTableHasCccPerAttributeAndMean() {
        List<String> lines = regression().toTable().lines().toList();
        String header = lines.stream().filter(l -> l.startsWith("source")).findFirst().orElseThrow();
        assertEquals(List.of("source", "n", "arousal", "dominance", "valence", "ccc_mean"), List.of(header.split(" +")));
        String audio = lines.stream().filter(l -> l.startsWith("audio")).findFirst().orElseThrow();
        assertEquals(List.of("audio", "3", "0.3636", "-1.0000", "0.0000", "-0.2121"), List.of(audio.split(" +")));
        String visual = lines.stream().filter(l -> l.startsWith("visual")).findFirst().orElseThrow();
        assertEquals(List.of("visual", "0", "-", "-", "-", "-"), List.of(visual.split(" +")));
        assertFalse(String.join("\n", lines).contains("confusion"));
    }

    @Test
    void reportRejectsLabelCountMismatchAndMixedTasks() {
        ClassificationMetrics c = ClassificationMetrics.of(new int[] {0, 1}, new int[] {0, 1}, 2);
        RegressionMetrics r = RegressionMetrics.of(new double[] {1, 2}, new double[] {1, 2}, 2, 1);
        ModalityReport none = new ModalityReport("fusion", 0, null, null);
        assertThrows(IllegalArgumentException.class, () -> new EvaluationReport("test", CLASSES,
                new ModalityReport("audio", 2, c, null), none, none));
        assertThrows(IllegalArgumentException.class, () -> new EvaluationReport("test", List.of("a", "b"),
                new ModalityReport("audio", 2, c, null), new ModalityReport("visual", 2, null, r), none));
    }

    @Test
    void modalityReportInvariants() {
        ClassificationMetrics c = ClassificationMetrics.of(new int[] {0, 1}, new int[] {0, 1}, 2);
        RegressionMetrics r = RegressionMetrics.of(new double[] {1, 2}, new double[] {1, 2}, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> new ModalityReport("audio", 2, c, r));
        assertThrows(IllegalArgumentException.class, () -> new ModalityReport("audio", 2, null, null));
        assertThrows(IllegalArgumentException.class, () -> new ModalityReport("audio", 0, c, null));
        assertThrows(IllegalArgumentException.class, () -> new ModalityReport("audio", 3, c, null));
        assertThrows(IllegalArgumentException.class, () -> new ModalityReport("audio", -1, null, null));
        assertEquals(2, new ModalityReport("audio", 2, null, r).n());
    }
}
