package dev.vavl4j.spark;

import dev.vavl4j.predict.Prediction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns {@code vavl predict --manifest --features --out} writes, and its number format: FileName,
 * modality (fusion, audio or visual: the head that answered), prediction, one column per label (class
 * probabilities, or attribute values in the manifest's units) printed with {@code %.6g} in
 * {@link Locale#ROOT}; then {@code error}, null for a row that was scored. Every column is a string, so a
 * Parquet or CSV file holds exactly the text of {@code vavl predict}'s CSV. The test compares it with the
 * real command's output, so a change of format there fails here.
 */
public final class ScoreFormat {
    /** The column of a row that could not be scored: one line naming the row and the problem. */
    public static final String ERROR = "error";

    private ScoreFormat() {}

    /** A score as {@code vavl predict} writes it. */
    public static String score(double s) {
        return String.format(Locale.ROOT, "%.6g", s);
    }

    /** FileName, modality, prediction, the label columns, error. */
    public static StructType schema(List<String> labels) {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField("FileName", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("modality", DataTypes.StringType, true));
        f.add(DataTypes.createStructField("prediction", DataTypes.StringType, true));
        for (String l : labels) f.add(DataTypes.createStructField(l, DataTypes.StringType, true));
        f.add(DataTypes.createStructField(ERROR, DataTypes.StringType, true));
        return DataTypes.createStructType(f);
    }

    /** The values of a scored row, after {@code idx} (the input order, dropped from the result). */
    static Object[] scored(long idx, String fileName, Prediction p, int labels) {
        Object[] v = new Object[labels + 5];
        v[0] = idx;
        v[1] = fileName;
        v[2] = p.used().key;
        v[3] = p.answer();
        double[] s = p.scores();
        for (int i = 0; i < labels; i++) v[4 + i] = score(s[i]);
        return v;
    }

    /** The values of a row that could not be scored. */
    static Object[] failed(long idx, String fileName, String error, int labels) {
        Object[] v = new Object[labels + 5];
        v[0] = idx;
        v[1] = fileName;
        v[labels + 4] = oneLine(error);
        return v;
    }

    private static String oneLine(String s) {
        return s == null ? "error" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
