package dev.vavl4j.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A corpus manifest CSV: a header row with {@code FileName}, {@code Split_Set} (Train, Development, Test),
 * the label columns and optionally {@code SpkrID}; other columns are ignored.
 */
public record Manifest(Path file, List<String> labelColumns, List<ManifestRow> rows) {

    /**
     * Reads the manifest; {@code labelColumns} may be empty (prediction needs no labels). Throws
     * {@link DataException} naming the file and, as they apply, the line, column and value for: a missing
     * or unreadable file, an empty file, a missing required or label column (listing the columns present),
     * a row with the wrong number of fields, an empty or duplicate FileName, an unknown Split_Set value,
     * and a label that is empty, not a number, NaN or infinite.
     */
    public static Manifest read(Path file, List<String> labelColumns) {
        throw new UnsupportedOperationException("TODO");
    }

    /** The rows of one split, in file order. */
    public List<ManifestRow> rows(Split split) {
        return rows.stream().filter(r -> r.split() == split).toList();
    }
}
