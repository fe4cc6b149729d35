package dev.vavl4j.data;

/**
 * One manifest line. {@code line} is the 1-based line number in the CSV (the header is line 1);
 * {@code stem} is FileName without its extension; {@code split} is Split_Set, or null when a manifest read
 * for prediction has no such column (and for inputs that come from no manifest); {@code speaker} is SpkrID or null;
 * {@code labels} holds the requested label columns in order (empty when none were requested).
 */
public record ManifestRow(int line, String fileName, String stem, Split split, String speaker, double[] labels) {}
