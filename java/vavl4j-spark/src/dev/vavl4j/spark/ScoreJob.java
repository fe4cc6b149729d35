package dev.vavl4j.spark;

import dev.vavl4j.VavlException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * {@code spark-submit --class dev.vavl4j.spark.ScoreJob vavl4j-spark-job.jar --model DIR --manifest FILE
 * --features DIR --out PATH [--format parquet|csv] [--split Train|Development|Test] [--threads N]
 * [--partitions N] [--fast] [--overwrite]}: scores the manifest's rows as {@code vavl predict} does and
 * writes the rows of {@link VavlScorer} (FileName, modality, prediction, the label columns, error) to
 * {@code --out}, a Parquet or CSV directory (CSV: a header, RFC 4180 quoting, CRLF line ends, as
 * {@code vavl predict}'s file). Prints one summary line; exit code 0, also when some rows failed (their
 * {@code error} says why), 2 for a usage error or an input that stops the whole job (one line on stderr).
 */
public final class ScoreJob {
    private ScoreJob() {}

    /** The parsed command line. */
    record Options(String model, String manifest, String features, String out, String format, String split, int threads,
                   int partitions, boolean fast, boolean overwrite) {
        static Options parse(String... args) {
            String model = null, manifest = null, features = null, out = null, format = "parquet", split = null;
            int threads = 0, partitions = 0;
            boolean fast = false, overwrite = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--fast" -> fast = true;
                    case "--overwrite" -> overwrite = true;
                    case "--model", "--manifest", "--features", "--out", "--format", "--split", "--threads", "--partitions" -> {
                        if (i + 1 >= args.length) throw new UsageException(a + " needs a value");
                        String v = args[++i];
                        switch (a) {
                            case "--model" -> model = v;
                            case "--manifest" -> manifest = v;
                            case "--features" -> features = v;
                            case "--out" -> out = v;
                            case "--format" -> format = v.toLowerCase(Locale.ROOT);
                            case "--split" -> split = v;
                            case "--threads" -> threads = count(a, v);
                            default -> partitions = count(a, v);
                        }
                    }
                    default -> throw new UsageException("unknown option " + a + "; usage: " + USAGE);
                }
            }
            List<String> missing = new ArrayList<>();
            if (model == null) missing.add("--model");
            if (manifest == null) missing.add("--manifest");
            if (features == null) missing.add("--features");
            if (out == null) missing.add("--out");
            if (!missing.isEmpty()) throw new UsageException("missing " + String.join(", ", missing) + "; usage: " + USAGE);
            if (!format.equals("parquet") && !format.equals("csv")) throw new UsageException("--format " + format + ": expected parquet or csv");
            return new Options(model, manifest, features, out, format, split, threads, partitions, fast, overwrite);
        }

        private static int count(String option, String v) {
            try {
                int n = Integer.parseInt(v);
                if (n >= 0) return n;
            } catch (NumberFormatException e) {
                // below
            }
            throw new UsageException(option + " " + v + ": expected a whole number ≥ 0");
        }
    }

    static final String USAGE = "ScoreJob --model DIR --manifest FILE --features DIR --out PATH [--format parquet|csv] "
            + "[--split Train|Development|Test] [--threads N] [--partitions N] [--fast] [--overwrite]";

    /** A bad command line. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** What a run did. */
    record Summary(long rows, long errors, double seconds) {
        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        SparkSession spark = SparkSession.builder().appName("vavl4j score " + o.manifest()).getOrCreate();
        int code = 0;
        try {
            Summary s = run(spark, o);
            System.out.printf(Locale.ROOT, "wrote %d predictions (%d rows with an error) to %s in %.1f s: %.1f rows/s%n",
                    s.rows(), s.errors(), o.out(), s.seconds(), s.rowsPerSecond());
        } catch (VavlException | UsageException e) {
            System.err.println("error: " + e.getMessage());
            code = 2;
        } finally {
            spark.stop();
        }
        if (code != 0) System.exit(code);
    }

    /** Scores and writes; the result's rows and errors are counted from what was written. */
    static Summary run(SparkSession spark, Options o) {
        long t0 = System.nanoTime();
        VavlScorer scorer = VavlScorer.builder(o.model()).threads(o.threads()).partitions(o.partitions()).exactBatches(!o.fast()).build();
        Dataset<Row> rows = scorer.scoreManifest(spark, o.manifest(), o.features(), o.split());
        var writer = rows.write().mode(o.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists);
        if (o.format().equals("csv")) {
            writer.option("header", "true").option("quote", "\"").option("escape", "\"").option("lineSep", "\r\n").csv(o.out());
        } else {
            writer.parquet(o.out());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Dataset<Row> written = o.format().equals("csv") ? spark.read().option("header", "true").csv(o.out()) : spark.read().parquet(o.out());
        long n = written.count();
        long errors = written.filter(functions.col(ScoreFormat.ERROR).isNotNull()).count();
        return new Summary(n, errors, seconds);
    }
}
