package dev.vavl4j.data;

import java.nio.file.Path;

/**
 * One manifest line. {@code line} is the 1-based line number in the CSV (the header is line 1);
 * {@code stem} is FileName without its extension; {@code split} is Split_Set, or null when a manifest read
 * for prediction has no such column (and for inputs that come from no manifest); {@code speaker} is SpkrID or null;
 * {@code labels} holds the requested label columns in order (empty when none were requested); {@code manifest}
 * is the file the row was read from, or null for a row that comes from no file (errors about the row then
 * name only its line).
 */
public record ManifestRow(int line, String fileName, String stem, Split split, String speaker, double[] labels, Path manifest) {

    /** A row that comes from no manifest file. */
    public ManifestRow(int line, String fileName, String stem, Split split, String speaker, double[] labels) {
        this(line, fileName, stem, split, speaker, labels, null);
    }

    /** Where the row is, for messages: {@code manifest.csv: line 7}, or {@code line 7} without a file. */
    public String where() {
        return (manifest == null ? "" : manifest + ": ") + "line " + line;
    }
}
