package dev.vavl4j.data;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A corpus manifest CSV: a header row with {@code FileName}, {@code Split_Set} (Train, Development, Test),
 * the label columns and optionally {@code SpkrID}; other columns are ignored. A manifest read for
 * {@link Mode#PREDICTION} needs only {@code FileName}.
 */
public record Manifest(Path file, List<String> labelColumns, List<ManifestRow> rows) {
    static final String FILE_NAME = "FileName", SPLIT = "Split_Set", SPEAKER = "SpkrID";
    /** A manifest of a million rows is under 100 MB; a larger file is refused before it is read. */
    public static final long MAX_BYTES = 512L << 20;

    /** Which columns {@link #read(Path, List, Mode)} demands besides {@code FileName}. */
    public enum Mode {
        /** Training and evaluation: {@code Split_Set} and every requested label column. */
        LABELLED,
        /**
         * Prediction of unlabelled utterances: nothing else. {@code Split_Set} is still read (and checked)
         * when the header has it, so a split can be chosen; without it every row's split is null.
         */
        PREDICTION
    }

    /**
     * The header is read as an ordinary record (not with commons-csv's header mode) so that duplicate or
     * missing column names become our own errors; values are trimmed of spaces and tabs here ({@link #fields}:
     * commons-csv's own trim would also drop a NUL or other control character at either end, silently); blank
     * lines are kept by the parser (so record positions stay exact) and skipped here.
     */
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
            .setIgnoreEmptyLines(false)
            .setTrim(false)
            .get();

    public Manifest {
        labelColumns = List.copyOf(labelColumns);
        rows = List.copyOf(rows);
    }

    /** {@link #read(Path, List, Mode)} in {@link Mode#LABELLED} mode: Split_Set is required. */
    public static Manifest read(Path file, List<String> labelColumns) {
        return read(file, labelColumns, Mode.LABELLED);
    }

    /**
     * Reads the manifest and the label columns {@code labelColumns}, possibly none (in
     * {@link Mode#PREDICTION} always none: prediction reads no labels). Throws {@link DataException} naming
     * the file and, as they apply, the line, column and value for: a missing or unreadable file, an empty
     * file, a missing required or label column (listing the columns present), a row with the wrong number
     * of fields, an empty or duplicate FileName, an unknown Split_Set value, and a label that is empty, not
     * a number, NaN or infinite. Every field it uses (FileName, Split_Set, SpkrID, the labels) must be free of
     * control characters (NUL, line breaks inside quotes, tabs, ...): such a field is refused naming the line,
     * the column and the character's position. A FileName must be a relative path that stays inside the
     * features directory: an absolute path (also {@code \\x} and {@code C:x}) or a {@code ..} component is
     * refused ({@link Corpus#load} checks the same again after following links). A file over
     * {@link #MAX_BYTES} is refused before it is read.
     */
    public static Manifest read(Path file, List<String> labelColumns, Mode mode) {
        String where = file.toString();
        if (new HashSet<>(labelColumns).size() != labelColumns.size()) {
            throw new IllegalArgumentException("label columns requested twice: " + labelColumns);
        }
        if (mode == Mode.PREDICTION && !labelColumns.isEmpty()) {
            throw new IllegalArgumentException("prediction reads no label columns, got " + labelColumns);
        }
        String text = readText(file);
        LineIndex lines = new LineIndex(text);
        List<ManifestRow> rows = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(new StringReader(text), FORMAT)) {
            Columns cols = null;
            Map<String, Integer> firstLineOfStem = new HashMap<>();
            for (CSVRecord rec : parser) {
                String[] fields = fields(rec);
                if (fields.length == 1 && fields[0].isEmpty()) continue; // blank line
                int line = lines.lineAt(rec.getCharacterPosition());
                if (cols == null) {
                    cols = Columns.of(where, line, fields, labelColumns, mode);
                    continue;
                }
                rows.add(cols.row(file, line, fields, firstLineOfStem));
            }
            if (cols == null) throw new DataException(where + ": empty file (no header row)");
        } catch (UncheckedIOException | IllegalStateException e) {
            // commons-csv reports malformed quoting this way, e.g. "EOF reached before encapsulated token finished"
            String msg = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw new DataException(where + ": malformed CSV (" + msg + ")", e);
        } catch (IOException e) {
            throw new DataException(where + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (rows.isEmpty()) throw new DataException(where + ": no data rows (only a header)");
        return new Manifest(file, labelColumns, rows);
    }

    /**
     * Whether the file has a {@code Split_Set} column: always after {@link Mode#LABELLED}; after
     * {@link Mode#PREDICTION} every row has a split or none has.
     */
    public boolean hasSplits() {
        return rows.getFirst().split() != null;
    }

    /** The rows of one split, in file order; a manifest without {@code Split_Set} has no splits to choose. */
    public List<ManifestRow> rows(Split split) {
        if (!hasSplits()) throw new IllegalStateException(file + " has no " + SPLIT + " column, so no " + split.label + " rows");
        return rows.stream().filter(r -> r.split() == split).toList();
    }

    /** FileName without its extension (only a dot in the last path component counts; a leading dot does not). */
    static String stem(String fileName) {
        int slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
        int dot = fileName.lastIndexOf('.');
        return dot > slash + 1 ? fileName.substring(0, dot) : fileName;
    }

    private static String readText(Path file) {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) throw new DataException(file + ": " + size + " bytes is too large for a manifest (at most " + MAX_BYTES + ")");
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": file not found");
        } catch (MalformedInputException e) {
            throw new DataException(file + ": not a UTF-8 text file", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        // Spreadsheet programs often save CSV with a UTF-8 byte order mark; it is not part of the first column name.
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** Where each column is, from the header record ({@code split} is -1 when a prediction manifest has none). */
    private record Columns(int fields, int fileName, int split, int speaker, int[] labels, List<String> labelNames) {
        static Columns of(String where, int line, String[] header, List<String> labelColumns, Mode mode) {
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                String name = header[i];
                // Unnamed columns (e.g. a trailing comma) are ignored like any other extra column.
                if (!name.isEmpty() && index.put(name, i) != null) {
                    throw new DataException(where + ": line " + line + ": column '" + shown(name) + "' appears twice in the header");
                }
            }
            List<String> required = new ArrayList<>(List.of(FILE_NAME));
            if (mode == Mode.LABELLED) required.add(SPLIT);
            required.addAll(labelColumns);
            for (String name : required) {
                if (!index.containsKey(name)) {
                    throw new DataException(where + ": missing column '" + name + "' (columns present: "
                            + shown(String.join(", ", header)) + ")");
                }
            }
            int[] labels = labelColumns.stream().mapToInt(index::get).toArray();
            return new Columns(header.length, index.get(FILE_NAME), index.getOrDefault(SPLIT, -1), index.getOrDefault(SPEAKER, -1),
                    labels, labelColumns);
        }

        ManifestRow row(Path file, int line, String[] rec, Map<String, Integer> firstLineOfStem) {
            String at = file + ": line " + line;
            if (rec.length != fields) {
                throw new DataException(at + ": " + rec.length + " fields, expected " + fields + " as in the header");
            }
            checkText(at, FILE_NAME, rec[this.fileName]);
            if (split >= 0) checkText(at, SPLIT, rec[split]);
            if (speaker >= 0) checkText(at, SPEAKER, rec[speaker]);
            for (int j = 0; j < labels.length; j++) checkText(at, labelNames.get(j), rec[labels[j]]);
            String fileName = rec[this.fileName];
            if (fileName.isEmpty()) throw new DataException(at + ", column '" + FILE_NAME + "': empty FileName");
            checkRelative(at, fileName);
            String stem = stem(fileName);
            // Two names with one stem (a.wav, a.mp4) would share one feature file, so the stem must be unique.
            Integer first = firstLineOfStem.putIfAbsent(stem, line);
            if (first != null) {
                throw new DataException(at + ", column '" + FILE_NAME + "': duplicate FileName '" + fileName
                        + "' (stem '" + stem + "' already on line " + first + ")");
            }
            Split s = split < 0 ? null : Split.parse(rec[split], at + ", column '" + SPLIT + "'");
            String spk = speaker < 0 || rec[speaker].isEmpty() ? null : rec[speaker];
            double[] values = new double[labels.length];
            for (int j = 0; j < labels.length; j++) {
                values[j] = number(at + ", column '" + labelNames.get(j) + "'", rec[labels[j]]);
            }
            return new ManifestRow(line, fileName, stem, s, spk, values, file);
        }
    }

    /** The record's values without surrounding spaces and tabs (only those: see {@link #FORMAT}). */
    private static String[] fields(CSVRecord rec) {
        String[] v = new String[rec.size()];
        for (int i = 0; i < v.length; i++) {
            String x = rec.get(i);
            int a = 0, b = x.length();
            while (a < b && (x.charAt(a) == ' ' || x.charAt(a) == '\t')) a++;
            while (b > a && (x.charAt(b - 1) == ' ' || x.charAt(b - 1) == '\t')) b--;
            v[i] = x.substring(a, b);
        }
        return v;
    }

    /** Refuses a field with a control character (or a Unicode line or paragraph separator), naming where it is. */
    private static void checkText(String at, String column, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw new DataException(at + ", column '" + column + "': control character U+" + String.format("%04X", (int) c)
                        + " at position " + (i + 1) + " of '" + shown(value) + "'");
            }
        }
    }

    /**
     * Refuses a FileName that is not a relative path inside the features directory: absolute ({@code /x},
     * {@code \\x}, {@code C:x}) or with a {@code ..} component (either separator counts, so a manifest means
     * the same on every system).
     */
    private static void checkRelative(String at, String fileName) {
        String where = at + ", column '" + FILE_NAME + "': FileName '" + shown(fileName) + "'";
        if (fileName.startsWith("/") || fileName.startsWith("\\") || fileName.matches("(?s)[A-Za-z]:.*")) {
            throw new DataException(where + " is an absolute path; FileName must be relative to the features directory");
        }
        for (String part : fileName.split("[/\\\\]", -1)) {
            if (part.equals("..")) throw new DataException(where + " has a '..' component; FileName must stay inside the features directory");
        }
    }

    /** {@code text} for a one-line message: control characters and byte order marks escaped, at most about 200 characters. */
    static String shown(String text) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < text.length() && sb.length() < 200; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\uFEFF') sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return i < text.length() ? sb + "…" : sb.toString();
    }

    /** A decimal number as written by pandas/numpy (no hex, no Java 'd'/'f' suffixes); NaN and inf are errors. */
    static double number(String where, String value) {
        if (value.isEmpty()) throw new DataException(where + ": empty value");
        String lower = value.toLowerCase(java.util.Locale.ROOT);
        if (lower.matches("[+-]?nan")) throw new DataException(where + ": '" + value + "' is NaN");
        if (lower.matches("[+-]?inf(inity)?")) throw new DataException(where + ": '" + value + "' is infinite");
        if (!value.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            throw new DataException(where + ": '" + value + "' is not a number");
        }
        double v = Double.parseDouble(value);
        if (Double.isInfinite(v)) throw new DataException(where + ": '" + value + "' is infinite (outside the double range)");
        return v;
    }

    /** Maps character offsets to 1-based line numbers (\n, \r\n and \r all end a line). */
    private static final class LineIndex {
        private final int[] starts;

        LineIndex(String text) {
            List<Integer> s = new ArrayList<>();
            s.add(0);
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) s.add(i + 1);
            }
            starts = s.stream().mapToInt(Integer::intValue).toArray();
        }

        int lineAt(long offset) {
            int i = java.util.Arrays.binarySearch(starts, (int) offset);
            return (i >= 0 ? i : -i - 2) + 1;
        }
    }
}
