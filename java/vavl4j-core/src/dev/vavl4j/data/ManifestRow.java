package dev.vavl4j.data;

/**
 * One manifest line. {@code line} is the 1-based line number in the CSV (the header is line 1);
 * {@code stem} is FileName without its extension; {@code speaker} is SpkrID or null;
 * {@code labels} holds the requested label columns in order (empty when none were requested).
 */
public record ManifestRow(int line, String fileName, String stem, Split split, String speaker, double[] labels) {}
