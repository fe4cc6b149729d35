package dev.vavl4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vavl4j.model.VavlConfig.Task;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LabelCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> EMO = List.of("angry", "sad", "happy");
    private static final List<String> ADV = List.of("arousal", "dominance", "valence");

    private static List<ManifestRow> rows(double[]... labels) {
        return java.util.stream.IntStream.range(0, labels.length)
                .mapToObj(i -> TestData.row(i + 2, "r" + i, Split.TRAIN, labels[i])).toList();
    }

    private static LabelCodec regression() {
        return LabelCodec.fit(Task.REGRESSION, ADV, rows(new double[] {1, 2, 7}, new double[] {5, 4, 3}, new double[] {3, 10, 5}), "m.csv");
    }

    // ---- classification ----

    @Test
    void classificationKeepsScoresAsGiven() {
        LabelCodec c = LabelCodec.fit(Task.CLASSIFICATION, EMO, rows(new double[] {0.8, 0.1, 0.1}, new double[] {0, 0, 1}), "m.csv");
        assertEquals(3, c.outputs());
        assertNull(c.min());
        assertNull(c.max());
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.25f}, c.encode(new double[] {0.25, 0.5, 0.25}));
        assertThrows(IllegalArgumentException.class, () -> c.encode(new double[] {1, 0}));
    }

    @Test
    void targetClassIsTheFirstArgmax() {
        assertEquals(1, LabelCodec.targetClass(new double[] {0.1, 0.7, 0.2}));
        assertEquals(0, LabelCodec.targetClass(new double[] {0.4, 0.4, 0.2}));
        assertEquals(1, LabelCodec.targetClass(new double[] {0, 0.5, 0.5}));
        assertEquals(2, LabelCodec.targetClass(new double[] {-3, -2, -1}));
    }

    @Test
    void decodeIsTheSoftmaxOfTheRowAtTheOffset() {
        LabelCodec c = new LabelCodec(Task.CLASSIFICATION, EMO, null, null);
        float[] out = {9, 9, 9, 0, (float) Math.log(2), (float) Math.log(3), 9};
        double[] p = c.decode(out, 3);
        assertArrayEquals(new double[] {1 / 6.0, 2 / 6.0, 3 / 6.0}, p, 1e-7);
        assertThrows(IllegalArgumentException.class, () -> c.decode(out, 5));
    }

    @Test
    void softmaxIsStableForHugeLogits() {
        LabelCodec c = new LabelCodec(Task.CLASSIFICATION, EMO, null, null);
        float big = 1000f, bigger = 1001f; // exp(1000) alone would overflow a double
        double[] p = c.decode(new float[] {big, bigger, -1000f}, 0);
        double e = Math.exp(1);
        assertArrayEquals(new double[] {1 / (1 + e), e / (1 + e), 0}, p, 1e-12);
        double[] q = c.decode(new float[] {-3e38f, -3e38f, -3e38f}, 0);
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, q, 1e-12);
    }

    @Test
    void negativeScoreIsAnErrorNamingTheLineAndColumn() {
        DataException e = assertThrows(DataException.class, () -> LabelCodec.fit(Task.CLASSIFICATION, EMO,
                rows(new double[] {1, 0, 0}, new double[] {0.5, -0.1, 0.6}), "m.csv"));
        assertEquals("m.csv: line 3, column 'sad': class score -0.1 is negative", e.getMessage());
    }

    @Test
    void aRowWithoutAPositiveScoreIsAnError() {
        DataException e = assertThrows(DataException.class, () -> LabelCodec.fit(Task.CLASSIFICATION, EMO,
                rows(new double[] {1, 0, 0}, new double[] {0, 0, 1}, new double[] {0, 0, 0}), "m.csv"));
        assertTrue(e.getMessage().startsWith("m.csv: line 4: "), e.getMessage());
        assertTrue(e.getMessage().contains("every class score is 0"), e.getMessage());
    }

    // ---- regression ----

    @Test
    void regressionScalesWithTheTrainingMinAndMax() {
        LabelCodec c = regression();
        assertArrayEquals(new double[] {1, 2, 3}, c.min());
        assertArrayEquals(new double[] {5, 10, 7}, c.max());
        assertArrayEquals(new float[] {0f, 0f, 1f}, c.encode(new double[] {1, 2, 7}));
        assertArrayEquals(new float[] {0.5f, 0.25f, 0.5f}, c.encode(new double[] {3, 4, 5}));
        // values outside the training range (development, test) map outside [0, 1]
        assertArrayEquals(new float[] {-0.25f, 1.25f, 0f}, c.encode(new double[] {0, 12, 3}));
    }

    @Test
    void regressionDecodeReturnsOriginalUnits() {
        LabelCodec c = regression();
        double[] back = c.decode(new float[] {7, 0.5f, 0.25f, 1f}, 1);
        assertArrayEquals(new double[] {3, 4, 7}, back, 1e-9);
        double[] raw = {4.2, 8.8, 3.3};
        assertArrayEquals(raw, c.decode(c.encode(raw), 0), 1e-5);
    }

    @Test
    void aConstantColumnIsAnErrorNamingIt() {
        DataException e = assertThrows(DataException.class, () -> LabelCodec.fit(Task.REGRESSION, ADV,
                rows(new double[] {1, 4, 2}, new double[] {2, 4, 3}), "m.csv"));
        assertTrue(e.getMessage().startsWith("m.csv: column 'dominance' is constant (4.0)"), e.getMessage());
    }

    @Test
    void fitNeedsTrainingRows() {
        assertThrows(DataException.class, () -> LabelCodec.fit(Task.REGRESSION, ADV, List.of(), "m.csv"));
    }

    // ---- JSON ----

    @Test
    void classificationJsonHasNoMinMaxAndRoundTrips() throws Exception {
        LabelCodec c = new LabelCodec(Task.CLASSIFICATION, EMO, null, null);
        assertEquals("{\"task\":\"classification\",\"columns\":[\"angry\",\"sad\",\"happy\"]}", c.toJson());
        LabelCodec back = LabelCodec.fromJson(c.toJson(), "labels.json");
        assertEquals(Task.CLASSIFICATION, back.task());
        assertEquals(EMO, back.columns());
        assertNull(back.min());
    }

    @Test
    void regressionJsonRoundTripsExactly() throws Exception {
        LabelCodec c = LabelCodec.fit(Task.REGRESSION, ADV,
                rows(new double[] {0.1, -2.5, 1e-7}, new double[] {6.7, 3.3333333333333335, 2}), "m.csv");
        JsonNode json = JSON.readTree(c.toJson());
        assertEquals("regression", json.get("task").asText());
        assertEquals(3, json.get("min").size());
        LabelCodec back = LabelCodec.fromJson(c.toJson(), "labels.json");
        assertEquals(Task.REGRESSION, back.task());
        assertEquals(ADV, back.columns());
        assertArrayEquals(c.min(), back.min());
        assertArrayEquals(c.max(), back.max());
        double[] raw = {3, 0, 1};
        assertArrayEquals(c.encode(raw), back.encode(raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[]",
            "{\"columns\": [\"a\", \"b\"]}",
            "{\"task\": \"Classification\", \"columns\": [\"a\", \"b\"]}",
            "{\"task\": 1, \"columns\": [\"a\", \"b\"]}",
            "{\"task\": \"classification\"}",
            "{\"task\": \"classification\", \"columns\": []}",
            "{\"task\": \"classification\", \"columns\": \"a,b\"}",
            "{\"task\": \"classification\", \"columns\": [\"a\", 2]}",
            "{\"task\": \"classification\", \"columns\": [\"a\", \"\"]}",
            "{\"task\": \"classification\", \"columns\": [\"a\", \"a\"]}",
            "{\"task\": \"classification\", \"columns\": [\"a\"]}",
            "{\"task\": \"classification\", \"columns\": [\"a\", \"b\"], \"min\": [0, 0]}",
            "{\"task\": \"classification\", \"columns\": [\"a\", \"b\"], \"extra\": 1}",
            "{\"task\": \"regression\", \"columns\": [\"a\", \"b\"], \"max\": [1, 1]}",
            "{\"task\": \"regression\", \"columns\": [\"a\", \"b\"], \"min\": [0], \"max\": [1, 1]}",
            "{\"task\": \"regression\", \"columns\": [\"a\", \"b\"], \"min\": [0, \"0\"], \"max\": [1, 1]}",
            "{\"task\": \"regression\", \"columns\": [\"a\", \"b\"], \"min\": [0, 1], \"max\": [1, 1]}",
            "{\"task\": \"regression\", \"columns\": [\"a\", \"b\"], \"min\": [0, 2], \"max\": [1, 1]}",
            "{\"task\": \"classification\", \"columns\": [\"a\", \"b\"]",
            "{\"task\": \"classification\", \"columns\": [\"a\", \"b\"]} []",
            "null",
    })
    void fromJsonRejectsInvalidInputNamingTheSource(String text) throws Exception {
        DataException e = assertThrows(DataException.class, () -> LabelCodec.fromJson(text, "run/labels.json"));
        assertTrue(e.getMessage().startsWith("run/labels.json: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void fromJsonOfAMissingFieldSaysItIsMissing() throws Exception {
        for (String absent : new String[] {null, "", " \n"}) {
            DataException e = assertThrows(DataException.class, () -> LabelCodec.fromJson(absent, "ck/checkpoint.json field 'labels'"));
            assertEquals("ck/checkpoint.json field 'labels': missing (expected a JSON object)", e.getMessage());
        }
    }

    @Test
    void fromJsonAcceptsAMinimalRegressionCodec() throws Exception {
        LabelCodec c = LabelCodec.fromJson(
                "{\"task\": \"regression\", \"columns\": [\"v\"], \"min\": [1], \"max\": [3.5]}", "x");
        assertArrayEquals(new float[] {0.4f}, c.encode(new double[] {2}));
    }
}
