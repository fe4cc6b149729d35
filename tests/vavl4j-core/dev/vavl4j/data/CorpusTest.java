package dev.vavl4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
    @TempDir
    Path dir;

    private Path audio(String stem, Features f) {
        Path p = dir.resolve("audio").resolve(stem + ".npy");
        Npy.write(p, f);
        return p;
    }

    private Path visual(String stem, Features f) {
        Path p = dir.resolve("visual").resolve(stem + ".npy");
        Npy.write(p, f);
        return p;
    }

    private static List<ManifestRow> rows(String... stems) {
        List<ManifestRow> out = new ArrayList<>();
        for (int i = 0; i < stems.length; i++) {
            out.add(TestData.row(i + 2, stems[i], i % 3 == 0 ? Split.TRAIN : i % 3 == 1 ? Split.DEVELOPMENT : Split.TEST));
        }
        return out;
    }

    private String fails(List<ManifestRow> rows, int audioDim, int visualDim, String... parts) {
        DataException e = assertThrows(DataException.class, () -> Corpus.load(rows, dir, audioDim, visualDim, 0, null));
        for (String p : parts) assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void missingModalitiesAndSkippedRows() {
        Features aA = TestData.features(4, 3, 1), aV = TestData.features(6, 2, 2), bA = TestData.features(2, 3, 3),
                cV = TestData.features(5, 2, 4);
        audio("a", aA);
        visual("a", aV);
        audio("b", bA);
        visual("c", cV);
        List<ManifestRow> rows = rows("a", "b", "c", "1001_DFA_ANG_XX");
        Corpus c = Corpus.load(rows, dir, 0, 0, 0, null);
        assertEquals(3, c.utterances().size());
        assertEquals(List.of("a", "b", "c"), c.utterances().stream().map(u -> u.row().stem()).toList());
        assertEquals(3, c.audioDim());
        assertEquals(2, c.visualDim());
        Utterance a = c.utterances().get(0), b = c.utterances().get(1), cc = c.utterances().get(2);
        assertSame(rows.get(0), a.row());
        assertArrayEquals(aA.values(), a.audio().values());
        assertArrayEquals(aV.values(), a.visual().values());
        assertArrayEquals(bA.values(), b.audio().values());
        assertNull(b.visual());
        assertNull(cc.audio());
        assertArrayEquals(cV.values(), cc.visual().values());
        assertEquals(List.of("line 5: 1001_DFA_ANG_XX has neither audio nor visual features; skipped"), c.skipped());
        assertEquals(List.of("a"), c.split(Split.TRAIN).stream().map(u -> u.row().stem()).toList());
        assertEquals(List.of("c"), c.split(Split.TEST).stream().map(u -> u.row().stem()).toList());
    }

    @Test
    void aModalityWithNoFilesKeepsTheExpectedDim() {
        audio("a", TestData.features(2, 3, 0));
        Corpus c = Corpus.load(rows("a"), dir, 0, 0, 0, null);
        assertEquals(3, c.audioDim());
        assertEquals(0, c.visualDim(), "no visual file and nothing expected");
        Corpus d = Corpus.load(rows("a"), dir, 3, 17, 0, null);
        assertEquals(17, d.visualDim(), "no visual file: the model's dim");
    }

    @Test
    void everyFileMustHaveTheFirstFilesDim() {
        Path first = audio("a", TestData.features(2, 3, 0));
        audio("b", TestData.features(2, 3, 0));
        Path bad = audio("c", TestData.features(2, 4, 0));
        String msg = fails(rows("a", "b", "c"), 0, 0, bad + ": audio features have dim 4, expected 3");
        assertTrue(msg.contains(first.toString()), "names where 3 came from: " + msg);
    }

    @Test
    void everyFileMustHaveTheModelsDim() {
        visual("a", TestData.features(2, 5, 0));
        Path bad = visual("b", TestData.features(2, 6, 0));
        fails(rows("a", "b"), 0, 5, bad + ": visual features have dim 6, expected 5 (from the model's visual_dim)");
        Path a = dir.resolve("visual/a.npy");
        fails(rows("a", "b"), 0, 7, a + ": visual features have dim 5, expected 7");
    }

    @Test
    void frameCapKeepsTheFirstFrames() {
        Features full = TestData.features(10, 2, 0);
        audio("a", full);
        visual("a", TestData.features(3, 4, 0));
        Corpus c = Corpus.load(rows("a"), dir, 0, 0, 4, null);
        Features a = c.utterances().get(0).audio();
        assertEquals(4, a.frames());
        assertArrayEquals(java.util.Arrays.copyOf(full.values(), 8), a.values());
        assertEquals(3, c.utterances().get(0).visual().frames(), "shorter sequences are untouched");
        assertEquals(10, Corpus.load(rows("a"), dir, 0, 0, 0, null).utterances().get(0).audio().frames(), "0 = no cap");
    }

    @Test
    void missingFeaturesDirectory() {
        Path none = dir.resolve("nowhere");
        DataException e = assertThrows(DataException.class, () -> Corpus.load(rows("a"), none, 0, 0, 0, null));
        assertTrue(e.getMessage().startsWith(none + ": features directory not found"), e.getMessage());
    }

    @Test
    void aBadFeatureFileIsReportedWithItsPath() {
        audio("a", TestData.features(2, 3, 0));
        Path bad = TestData.write(dir.resolve("visual/a.npy"), "not numpy");
        fails(rows("a"), 0, 0, bad + ": not an NPY file");
    }

    /** Loading is parallel, yet the error is always the one a sequential pass would meet first. */
    @Test
    void theFirstBadRowInRowOrderIsReportedEveryTime() {
        String[] stems = IntStream.range(0, 200).mapToObj(i -> "s" + i).toArray(String[]::new);
        for (String s : stems) audio(s, TestData.features(3, 2, 0));
        Path firstBad = TestData.write(dir.resolve("audio/s37.npy"), "bad");
        TestData.write(dir.resolve("audio/s150.npy"), "bad too");
        audio("s20", TestData.features(3, 5, 0)); // a dim mismatch even earlier wins
        Path mismatch = dir.resolve("audio/s20.npy");
        for (int run = 0; run < 5; run++) fails(rows(stems), 0, 0, mismatch + ": audio features have dim 5");
        audio("s20", TestData.features(3, 2, 0));
        for (int run = 0; run < 5; run++) fails(rows(stems), 0, 0, firstBad + ": not an NPY file");
    }

    @Test
    void parallelLoadingKeepsRowOrderAndReportsEveryRow() {
        int n = 300;
        String[] stems = IntStream.range(0, n).mapToObj(i -> "u" + i).toArray(String[]::new);
        for (int i = 0; i < n; i++) {
            if (i % 7 != 0) audio(stems[i], TestData.features(1 + i % 11, 2, i));
            if (i % 5 != 0) visual(stems[i], TestData.features(1 + i % 13, 3, -i));
        }
        List<Integer> calls = new ArrayList<>(); // not thread-safe on purpose: calls must be serialised
        Corpus c = Corpus.load(rows(stems), dir, 0, 0, 0, calls::add);
        assertEquals(IntStream.rangeClosed(1, n).boxed().toList(), calls);
        List<String> expected = IntStream.range(0, n).filter(i -> i % 35 != 0).mapToObj(i -> "u" + i).toList();
        assertEquals(expected, c.utterances().stream().map(u -> u.row().stem()).toList());
        for (Utterance u : c.utterances()) {
            int i = Integer.parseInt(u.row().stem().substring(1));
            if (u.hasAudio()) assertEquals(i, u.audio().values()[0]);
            if (u.hasVisual()) assertEquals(-i, u.visual().values()[0]);
        }
        assertEquals(9, c.skipped().size()); // 0, 35, ..., 280
        assertTrue(c.skipped().get(1).startsWith("line 37: u35 has neither"), c.skipped().get(1));
    }
}
