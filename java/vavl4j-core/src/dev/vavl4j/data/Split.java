package dev.vavl4j.data;

/** The {@code Split_Set} values of a manifest. */
public enum Split {
    TRAIN("Train"), DEVELOPMENT("Development"), TEST("Test");

    public final String label;

    Split(String label) {
        this.label = label;
    }

    /** Parses the manifest spelling (exact, case-sensitive); throws naming the value and the allowed ones. */
    public static Split parse(String value, String where) {
        for (Split s : values()) if (s.label.equals(value)) return s;
        throw new DataException(where + ": unknown split '" + value + "' (expected Train, Development or Test)");
    }
}
