package dev.vavl4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestTest {
    private static final List<String> EMO = List.of("angry", "sad", "happy");

    @TempDir
    Path dir;

    private Path csv(String text) {
        return TestData.write(dir.resolve("labels.csv"), text);
    }

    private String fails(Path file, List<String> labels, String... expectedParts) {
        DataException e = assertThrows(DataException.class, () -> Manifest.read(file, labels));
        String msg = e.getMessage();
        assertTrue(msg.startsWith(file + ": "), "message starts with the file: " + msg);
        for (String part : expectedParts) assertTrue(msg.contains(part), "expected '" + part + "' in: " + msg);
        return msg;
    }

    @Test
    void readsRowsWithLinesStemsSplitsSpeakersAndLabels() {
        Path f = csv("""
                FileName,angry,sad,happy,SpkrID,Gender,Split_Set
                1001_DFA_ANG_XX.wav,0.8,0.1,0.1,1001,Male,Train
                1002_DFA_SAD_XX.mp3,0,1,0,1002,Female,Development
                1003_IEO_HAP_HI.flv,0.25,-0.5,1e-3,1003,Female,Test
                """);
        Manifest m = Manifest.read(f, EMO);
        assertEquals(f, m.file());
        assertEquals(EMO, m.labelColumns());
        assertEquals(3, m.rows().size());
        ManifestRow r = m.rows().get(0);
        assertEquals(2, r.line());
        assertEquals("1001_DFA_ANG_XX.wav", r.fileName());
        assertEquals("1001_DFA_ANG_XX", r.stem());
        assertEquals(Split.TRAIN, r.split());
        assertEquals("1001", r.speaker());
        assertArrayEquals(new double[] {0.8, 0.1, 0.1}, r.labels());
        assertEquals(Split.DEVELOPMENT, m.rows().get(1).split());
        assertEquals(4, m.rows().get(2).line());
        assertArrayEquals(new double[] {0.25, -0.5, 1e-3}, m.rows().get(2).labels());
        assertEquals(List.of("1003_IEO_HAP_HI"), m.rows(Split.TEST).stream().map(ManifestRow::stem).toList());
        assertEquals(List.of("1002_DFA_SAD_XX"), m.rows(Split.DEVELOPMENT).stream().map(ManifestRow::stem).toList());
    }

    @Test
    void labelColumnsFollowTheRequestedOrderNotTheFileOrder() {
        Path f = csv("Split_Set,happy,FileName,angry\nTrain,3,a.wav,1\n");
        assertArrayEquals(new double[] {1, 3}, Manifest.read(f, List.of("angry", "happy")).rows().get(0).labels());
    }

    @Test
    void noLabelColumnsAndNoSpeakerColumn() {
        Path f = csv("FileName,Split_Set\na.wav,Test\nb,Train\n");
        Manifest m = Manifest.read(f, List.of());
        assertEquals(0, m.rows().get(0).labels().length);
        assertNull(m.rows().get(0).speaker());
        assertEquals("b", m.rows().get(1).stem(), "a name without extension is its own stem");
    }

    @Test
    void stemDropsOnlyTheLastExtension() {
        assertEquals("a.b", Manifest.stem("a.b.wav"));
        assertEquals("dir.v1/clip", Manifest.stem("dir.v1/clip"));
        assertEquals(".hidden", Manifest.stem(".hidden"));
    }

    @Test
    void toleratesBomCrLfSurroundingSpacesQuotesAndBlankLines() {
        Path f = csv("\uFEFFFileName , angry,sad,happy,SpkrID,Split_Set\r\n"
                + " a.wav , 1 ,\" 2\",3,,Train\r\n"
                + "\r\n"
                + "\"b,c.wav\",4,5,6, 77 ,Test\r\n");
        Manifest m = Manifest.read(f, EMO);
        assertEquals(2, m.rows().size());
        assertEquals("a.wav", m.rows().get(0).fileName());
        assertArrayEquals(new double[] {1, 2, 3}, m.rows().get(0).labels());
        assertNull(m.rows().get(0).speaker(), "an empty SpkrID is no speaker");
        assertEquals("b,c.wav", m.rows().get(1).fileName());
        assertEquals("77", m.rows().get(1).speaker());
        assertEquals(4, m.rows().get(1).line(), "blank lines still count as lines");
    }

    @Test
    void lineNumbersAreFileLinesEvenAfterAQuotedNewline() {
        // The quoted newline is in a column the manifest ignores (a FileName may not hold one).
        Path f = csv("FileName,Split_Set,angry,note\na.wav,Train,1,\"x\ny\"\nc.wav,Train,x,z\n");
        fails(f, List.of("angry"), "line 4, column 'angry': 'x' is not a number");
    }

    @Test
    void readsTheRealVavlFold() {
        Path real = Path.of("tests/vavl4j-core/resources/dev/vavl4j/data/crema-d/label_consensus_1.csv");   // NOTICE.md beside it
        List<String> cols = List.of("angry", "sad", "disgust", "fear", "neutral", "happy");
        Manifest m = Manifest.read(real, cols);
        assertEquals(5820, m.rows().size());
        assertEquals(4043, m.rows(Split.TRAIN).size());
        assertEquals(878, m.rows(Split.DEVELOPMENT).size());
        assertEquals(899, m.rows(Split.TEST).size());
        ManifestRow first = m.rows().get(0);
        assertEquals("1026_IEO_ANG_HI", first.stem());
        assertEquals("1026", first.speaker());
        assertArrayEquals(new double[] {0.856, 0.01, 0.01, 0.104, 0.01, 0.01}, first.labels());
    }

    // ---- prediction mode: only FileName is required ----

    @Test
    void predictionModeNeedsOnlyTheFileNameColumn() {
        Path f = csv("FileName\na.wav\n\nsub/b.mp4\n");
        Manifest m = Manifest.read(f, List.of(), Manifest.Mode.PREDICTION);
        assertEquals(List.of("a", "sub/b"), m.rows().stream().map(ManifestRow::stem).toList());
        assertEquals(List.of(2, 4), m.rows().stream().map(ManifestRow::line).toList());
        assertNull(m.rows().get(0).split(), "no Split_Set column: no split");
        assertEquals(0, m.rows().get(1).labels().length);
        assertFalse(m.hasSplits());
        assertThrows(IllegalStateException.class, () -> m.rows(Split.TEST), "no split to choose from");
    }

    @Test
    void predictionModeIgnoresLabelColumnsAndReadsSplitSetWhenPresent() {
        Path f = csv("FileName,angry,SpkrID,Split_Set\na.wav,not-a-number,7,Train\nb.wav,,8,Test\n");
        Manifest m = Manifest.read(f, List.of(), Manifest.Mode.PREDICTION);
        assertTrue(m.hasSplits());
        assertEquals(List.of("b"), m.rows(Split.TEST).stream().map(ManifestRow::stem).toList());
        assertEquals("7", m.rows().get(0).speaker());
    }

    @Test
    void predictionModeStillChecksFileNamesAndSplitValues() {
        fails(Manifest.Mode.PREDICTION, csv("File,Split_Set\na.wav,Test\n"), "missing column 'FileName'", "columns present: File, Split_Set");
        fails(Manifest.Mode.PREDICTION, csv("FileName\na.wav\na.flv\n"), "line 3", "duplicate FileName 'a.flv'");
        fails(Manifest.Mode.PREDICTION, csv("FileName,Split_Set\na.wav,Test\nb.wav,Validation\n"),
                "line 3, column 'Split_Set': unknown split 'Validation'");
        fails(Manifest.Mode.PREDICTION, csv("FileName\n"), "no data rows");
    }

    @Test
    void labelledModeStillRequiresSplitSetAndTheLabels() {
        Path f = csv("FileName\na.wav\n");
        fails(Manifest.Mode.LABELLED, f, "missing column 'Split_Set'", "columns present: FileName");
        assertEquals(1, Manifest.read(f, List.of(), Manifest.Mode.PREDICTION).rows().size(), "the same file is fine for prediction");
        fails(Manifest.Mode.LABELLED, csv("FileName,Split_Set\na.wav,Test\n"), "missing column 'angry'");
    }

    @Test
    void predictionModeTakesNoLabelColumns() {
        Path f = csv("FileName,angry\na.wav,1\n");
        assertThrows(IllegalArgumentException.class, () -> Manifest.read(f, List.of("angry"), Manifest.Mode.PREDICTION));
    }

    private void fails(Manifest.Mode mode, Path file, String... expectedParts) {
        List<String> labels = mode == Manifest.Mode.LABELLED ? List.of("angry") : List.of();
        DataException e = assertThrows(DataException.class, () -> Manifest.read(file, labels, mode));
        assertTrue(e.getMessage().startsWith(file + ": "), "message starts with the file: " + e.getMessage());
        for (String part : expectedParts) assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }

    // ---- bad input ----

    @Test
    void missingFile() {
        fails(dir.resolve("none.csv"), EMO, "file not found");
    }

    @Test
    void emptyFile() {
        fails(csv(""), EMO, "empty file");
        fails(csv("\uFEFF\n\n"), EMO, "empty file");
    }

    @Test
    void headerWithoutDataRows() {
        fails(csv("FileName,angry,sad,happy,Split_Set\n"), EMO, "no data rows");
    }

    @Test
    void missingFileNameColumnListsTheColumnsPresent() {
        fails(csv("File,angry,sad,happy,Split_Set\na.wav,1,0,0,Train\n"), EMO,
                "missing column 'FileName'", "columns present: File, angry, sad, happy, Split_Set");
    }

    @Test
    void missingSplitColumn() {
        fails(csv("FileName,angry,sad,happy\na.wav,1,0,0\n"), EMO, "missing column 'Split_Set'");
    }

    @Test
    void missingLabelColumn() {
        fails(csv("FileName,angry,happy,Split_Set\na.wav,1,0,Train\n"), EMO, "missing column 'sad'",
                "columns present: FileName, angry, happy, Split_Set");
    }

    @Test
    void columnTwiceInTheHeader() {
        fails(csv("FileName,angry,sad,happy,angry,Split_Set\na.wav,1,0,0,1,Train\n"), EMO, "column 'angry' appears twice");
    }

    @Test
    void rowWithTheWrongNumberOfFields() {
        fails(csv("FileName,angry,sad,happy,Split_Set\na.wav,1,0,0,Train\nb.wav,1,0,Train\n"), EMO,
                "line 3: 4 fields, expected 5");
    }

    @Test
    void emptyFileName() {
        fails(csv("FileName,angry,sad,happy,Split_Set\na.wav,1,0,0,Train\n ,1,0,0,Train\n"), EMO,
                "line 3, column 'FileName': empty FileName");
    }

    @Test
    void duplicateFileNameNamesBothLines() {
        fails(csv("FileName,angry,sad,happy,Split_Set\na.wav,1,0,0,Train\nb.wav,1,0,0,Train\na.wav,0,1,0,Test\n"), EMO,
                "line 4, column 'FileName': duplicate FileName 'a.wav'", "already on line 2");
    }

    @Test
    void twoFileNamesWithOneStemAreDuplicates() {
        fails(csv("FileName,Split_Set\na.wav,Train\na.flv,Train\n"), List.of(), "line 3", "duplicate FileName 'a.flv'", "stem 'a'");
    }

    @ParameterizedTest
    @CsvSource({"Validation", "train", "''"})
    void unknownSplit(String split) {
        String msg = fails(csv("FileName,Split_Set\na.wav,Train\nb.wav," + split + "\n"), List.of(),
                "line 3, column 'Split_Set': unknown split '" + split + "'");
        assertTrue(msg.contains("Train, Development or Test"), msg);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "abc | 'abc' is not a number",
            "0x10 | '0x10' is not a number",
            "1.5f | '1.5f' is not a number",
            "1,5 | fields",
            "NaN | 'NaN' is NaN",
            "nan | 'nan' is NaN",
            "inf | 'inf' is infinite",
            "-Infinity | '-Infinity' is infinite",
            "1e999 | '1e999' is infinite",
    })
    void badLabelValue(String value, String expected) {
        Path f = csv("FileName,angry,sad,happy,Split_Set\na.wav,1,0,0,Train\nb.wav,0," + value + ",0,Train\n");
        String msg = fails(f, EMO, expected);
        if (!expected.equals("fields")) assertTrue(msg.contains("line 3, column 'sad': "), msg);
    }

    @Test
    void exactMessageForANonNumericLabel() {
        Path f = csv("FileName,angry,Split_Set\na.wav,abc,Train\n");
        DataException e = assertThrows(DataException.class, () -> Manifest.read(f, List.of("angry")));
        assertEquals(f + ": line 2, column 'angry': 'abc' is not a number", e.getMessage());
    }

    @Test
    void emptyLabel() {
        fails(csv("FileName,angry,sad,happy,Split_Set\na.wav,1,,0,Train\n"), EMO, "line 2, column 'sad': empty value");
    }

    @Test
    void unterminatedQuote() {
        fails(csv("FileName,Split_Set\n\"a.wav,Train\n"), List.of(), "malformed CSV");
    }

    @Test
    void notUtf8() {
        Path f = TestData.write(dir.resolve("latin.csv"), new byte[] {'F', 'i', 'l', 'e', 'N', 'a', 'm', 'e', ',', 'S', '\n', (byte) 0xE9, '\n'});
        fails(f, List.of(), "not a UTF-8 text file");
    }

    // ---- hostile values (issue 11 items 4 and 5) ----

    /** A NUL or other control character names the manifest, the line, the column and the position; one line. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0|1", "1|1", "9|3", "10|2", "13|5", "31|1", "127|4", "8232|2",
    })
    void controlCharacterInAFileNameNamesFileLineAndColumn(int ch, int position) {
        String name = "abcde".substring(0, position - 1) + (char) ch + "x.wav";
        Path f = csv("FileName,Split_Set\nok.wav,Train\n\"" + name + "\",Train\n");
        String msg = fails(f, List.of(), "line 3, column 'FileName': control character U+" + String.format("%04X", ch)
                + " at position " + position);
        assertEquals(1, msg.lines().count(), "one-line message: " + msg);
        assertFalse(msg.chars().anyMatch(c -> c < 0x20 || c == 0x7f), "no raw control character in: " + msg);
    }

    @Test
    void controlCharactersInSplitSpeakerAndLabelsAreRefusedToo() {
        fails(csv("FileName,Split_Set\na.wav,\"Tr\u0000ain\"\n"), List.of(), "line 2, column 'Split_Set': control character U+0000");
        fails(csv("FileName,Split_Set,SpkrID\na.wav,Train,\"s\n1\"\n"), List.of(), "line 2, column 'SpkrID': control character U+000A");
        fails(csv("FileName,Split_Set,angry\na.wav,Train,\"1\u00000\"\n"), List.of("angry"), "line 2, column 'angry': control character U+0000");
        // A column the manifest does not use may hold anything.
        assertEquals(1, Manifest.read(csv("FileName,Split_Set,note\na.wav,Train,\"x\u0000y\"\n"), List.of()).rows().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "/abs/a.wav", "\\\\server\\x.wav", "C:x.wav", "c:\\x\\y.wav"})
    void absoluteFileNamesAreRefused(String name) {
        Path f = csv("FileName,Split_Set\n\"" + name + "\",Train\n");
        fails(f, List.of(), "line 2, column 'FileName': FileName '" + name + "' is an absolute path");
        fails(Manifest.Mode.PREDICTION, csv("FileName\n\"" + name + "\"\n"), "is an absolute path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../a.wav", "../../etc/passwd", "sub/../../a.wav", "a/..", "..", "..\\a.wav", "x\\..\\..\\a.wav"})
    void fileNamesWithADotDotComponentAreRefused(String name) {
        Path f = csv("FileName,Split_Set\nok.wav,Train\n\"" + name + "\",Train\n");
        fails(f, List.of(), "line 3, column 'FileName': FileName '" + name + "' has a '..' component");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sub/a.wav", "./a.wav", "a..b.wav", "...wav", "..a.wav", "Session1/1001_DFA_ANG_XX.wav"})
    void relativeFileNamesInsideTheFeaturesDirectoryAreFine(String name) {
        Manifest m = Manifest.read(csv("FileName,Split_Set\n\"" + name + "\",Train\n"), List.of());
        assertEquals(name, m.rows().get(0).fileName());
    }

    @Test
    void rowsKnowTheirManifest() {
        Path f = csv("FileName,Split_Set\na.wav,Train\n");
        ManifestRow r = Manifest.read(f, List.of()).rows().get(0);
        assertEquals(f, r.manifest());
        assertEquals(f + ": line 2", r.where());
        assertEquals("line 5", TestData.row(5, "x", Split.TRAIN).where());
    }

    @Test
    void duplicateHeaderNamesWithControlCharactersAreShownEscaped() {
        String msg = fails(csv("FileName,Split_Set,\"a\u0001\",\"a\u0001\"\nx.wav,Train,1,2\n"), List.of(), "column 'a\\u0001' appears twice");
        assertEquals(1, msg.lines().count());
    }
}
