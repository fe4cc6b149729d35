package dev.vavl4j.metrics;

import java.util.List;

/** Fixed-width text tables for the console reports: every column as wide as its widest cell. */
final class TextTable {
    private static final String GAP = "  ";

    private TextTable() {}

    /**
     * Appends {@code rows} (the first is the header), one line each. The first column is left-aligned; the
     * others are left-aligned, or right-aligned when {@code numeric} (so digits of counts line up).
     * Trailing spaces are dropped.
     */
    static void render(List<String[]> rows, boolean numeric, StringBuilder out) {
        int columns = 0;
        for (String[] row : rows) columns = Math.max(columns, row.length);
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) width[c] = Math.max(width[c], row[c].length());
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                if (c > 0) line.append(GAP);
                String cell = row[c];
                String pad = " ".repeat(width[c] - cell.length());
                if (numeric && c > 0) line.append(pad).append(cell);
                else line.append(cell).append(pad);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
