package dev.vavl4j.spark;

import dev.vavl4j.ConfigException;
import dev.vavl4j.InvalidInputException;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.checkpoint.TrainedHeads;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.DataException;
import dev.vavl4j.data.Features;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Split;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.predict.Prediction;
import dev.vavl4j.predict.Predictor;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Scores utterances with a trained vavl4j model on Spark and answers with the rows {@code vavl predict
 * --manifest --features --out} writes ({@link ScoreFormat}): FileName, modality, prediction, one string column
 * per label, and {@code error}, in the order of the input. Three inputs:
 * <ul>
 * <li>{@link #scoreManifest}: a manifest CSV (read on the driver with vavl4j's own reader, so the same rows
 *     and split as {@code vavl predict}) and a features directory {@code <features>/audio/<stem>.npy},
 *     {@code <features>/visual/<stem>.npy} that the executors read (a path every executor sees: a shared or
 *     mounted file system);</li>
 * <li>{@link #scoreFiles}: a DataFrame with a {@code FileName} column, features read the same way;</li>
 * <li>{@link #scoreFeatures}: a DataFrame with {@code FileName} and the raw features in columns
 *     {@code audio} and/or {@code visual}: {@code array<array<float|double>>} ([frames][dim]), or a flat
 *     {@code array<float|double>} with an int column {@code audio_frames} / {@code visual_frames}; a null
 *     value (or a missing column) is a missing modality.</li>
 * </ul>
 * <p><b>One model per executor.</b> Each executor JVM loads the model once, on its CPU, on first use
 * ({@code Predictors}); its tasks share it. The model path must be readable on every executor.
 * <p><b>Bad rows.</b> A row whose features cannot be used (missing file, neither modality, wrong dimension,
 * NaN, a modality the model has no head for, a malformed feature column) is answered by a row with only
 * FileName and {@code error} set, one line naming the row and the problem; the job goes on.
 * <p><b>Batches, and equality with {@code vavl predict}.</b> With {@link Builder#exactBatches} (the default)
 * the scorer forms the very batches {@code vavl predict} forms: every usable row is sorted by its length
 * (the longer modality, after the model's frame cap) and then its input position, and cut into batches of
 * {@link Predictor#BATCH}; each batch is scored whole by one task. Since an answer's last bits depend on its
 * batch (the padding changes how sums are blocked, see {@link Predictor}), this is what makes the rows
 * bit-identical to {@code vavl predict}'s on the same rows. It costs a pass that reads each row's features to
 * learn its length (the features are read twice, or shuffled twice for {@link #scoreFeatures}) and a small
 * shuffle. Bad rows take no part, so the good rows equal {@code vavl predict} on the corpus without them.
 * With {@code exactBatches(false)} each partition is scored as it comes, in chunks sorted by length: one
 * pass, no shuffle, answers within {@link Predictor#BATCH_TOLERANCE} of the exact ones.
 */
public final class VavlScorer implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Rows loaded at once per task when batches need not be exact: a few batches, so lengths sort well. */
    static final int CHUNK = Predictor.BATCH * 8;
    private static final String IDX = "__vavl_idx";

    private final String model;
    private final int threads;
    private final boolean exactBatches;
    private final int partitions;
    private final List<String> labels;
    private final int audioDim, visualDim, maxFrames;
    private final boolean audioHead, visualHead;

    private VavlScorer(Builder b, Checkpoint ck) {
        this.model = b.model;
        this.threads = b.threads;
        this.exactBatches = b.exactBatches;
        this.partitions = b.partitions;
        this.labels = List.copyOf(ck.labels().columns());
        this.audioDim = ck.config().audioDim();
        this.visualDim = ck.config().visualDim();
        this.maxFrames = ck.maxFrames();
        TrainedHeads h = ck.heads();
        this.audioHead = h.audio();
        this.visualHead = h.visual();
    }

    /** A scorer of the checkpoint (or training run, using its {@code best/}) at {@code model}. */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    /** Options of a {@link VavlScorer}. */
    public static final class Builder {
        private final String model;
        private int threads;
        private boolean exactBatches = true;
        private int partitions;

        private Builder(String model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** CPU threads of each executor's model (default 0: one per core of the executor's machine). */
        public Builder threads(int threads) {
            if (threads < 0) throw new ConfigException("threads must be ≥ 0 (0: one per core), got " + threads);
            this.threads = threads;
            return this;
        }

        /** Whether to form {@code vavl predict}'s batches exactly (default true; see the class comment). */
        public Builder exactBatches(boolean exact) {
            this.exactBatches = exact;
            return this;
        }

        /** Partitions of the scoring stage (default 0: Spark's default parallelism). */
        public Builder partitions(int partitions) {
            if (partitions < 0) throw new ConfigException("partitions must be ≥ 0 (0: Spark's default parallelism), got " + partitions);
            this.partitions = partitions;
            return this;
        }

        /** Reads the checkpoint's metadata on the driver (labels, sizes, heads); the weights load on the executors. */
        public VavlScorer build() {
            return new VavlScorer(this, Checkpoint.loadForInference(Path.of(model)));
        }
    }

    /** The label columns, in the order of the score columns. */
    public List<String> labels() {
        return labels;
    }

    /** The schema of every result: FileName, modality, prediction, the label columns, error (all strings). */
    public StructType schema() {
        return ScoreFormat.schema(labels);
    }

    // ------------------------------------------------------------------ inputs

    /**
     * The rows of {@code manifest} that {@code vavl predict --manifest --features [--split]} predicts: with a
     * Split_Set column those of {@code split} (null: Test), without one every row ({@code split} must then be
     * null). The manifest is read and checked on the driver; the features on the executors.
     */
    public Dataset<Row> scoreManifest(SparkSession spark, String manifest, String features, String split) {
        Path file = Path.of(manifest);
        Manifest m = Manifest.read(file, List.of(), Manifest.Mode.PREDICTION);
        List<ManifestRow> rows;
        if (!m.hasSplits()) {
            if (split != null) throw new InvalidInputException("split " + split + ": " + manifest + " has no Split_Set column; give no split to score every row");
            rows = m.rows();
        } else {
            Split s = Split.parse(split == null ? Split.TEST.label : split, "split");
            rows = m.rows(s);
            if (rows.isEmpty()) throw new DataException(manifest + ": no rows with Split_Set " + s.label);
        }
        List<Item> items = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            ManifestRow r = rows.get(i);
            items.add(Item.file(i, r.line(), r.fileName(), r.stem(), manifest));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return score(spark, jsc.parallelize(items, parts(spark)), features);
    }

    /**
     * Scores the rows of {@code rows} (a string column {@code FileName}; other columns are ignored) from the
     * feature files under {@code features}, read on the executors. The result keeps the input's order.
     */
    public Dataset<Row> scoreFiles(Dataset<Row> rows, String features) {
        int at = fieldIndex(rows.schema(), "FileName", DataTypes.StringType);
        JavaRDD<Item> items = rows.javaRDD().zipWithIndex().map(t -> {
            String name = t._1().isNullAt(at) ? null : t._1().getString(at);
            long idx = t._2();
            if (name == null || name.isBlank()) return Item.failed(idx, name == null ? "" : name, "row " + (idx + 1) + ": empty FileName");
            return Item.file(idx, (int) Math.min(idx + 1, Integer.MAX_VALUE), name, stem(name), null);
        });
        return score(rows.sparkSession(), items, features);
    }

    /**
     * Scores rows that carry their features: {@code FileName} and {@code audio} and/or {@code visual}
     * (see the class comment for the types). The features are raw, as in the {@code .npy} files: the model's
     * normalisation and frame cap are applied here.
     */
    public Dataset<Row> scoreFeatures(Dataset<Row> rows) {
        StructType s = rows.schema();
        int name = fieldIndex(s, "FileName", DataTypes.StringType);
        FeatureColumn audio = FeatureColumn.of(s, "audio"), visual = FeatureColumn.of(s, "visual");
        if (audio == null && visual == null) {
            throw new InvalidInputException("the DataFrame has neither an audio nor a visual column (columns: " + String.join(", ", s.fieldNames()) + ")");
        }
        int aDim = audioDim, vDim = visualDim;
        JavaRDD<Item> items = rows.javaRDD().zipWithIndex().map(t -> {
            Row r = t._1();
            long idx = t._2();
            String fn = r.isNullAt(name) ? "" : r.getString(name);
            try {
                float[] a = audio == null ? null : audio.values(r, aDim), v = visual == null ? null : visual.values(r, vDim);
                return Item.inline(idx, fn, a, a == null ? 0 : a.length / aDim, v, v == null ? 0 : v.length / vDim);
            } catch (InvalidInputException e) {
                return Item.failed(idx, fn, (fn.isEmpty() ? "row " + (idx + 1) : fn) + ": " + e.getMessage());
            }
        });
        return score(rows.sparkSession(), items, null);
    }

    // ------------------------------------------------------------------ scoring

    private int parts(SparkSession spark) {
        return partitions > 0 ? partitions : Math.max(1, spark.sparkContext().defaultParallelism());
    }

    private Dataset<Row> score(SparkSession spark, JavaRDD<Item> items, String features) {
        int n = parts(spark);
        int labelCount = labels.size();
        JavaRDD<Row> out;
        if (exactBatches) {
            JavaRDD<Planned> planned = items.map(it -> plan(it, features)).persist(StorageLevel.MEMORY_AND_DISK());
            JavaRDD<Row> bad = planned.filter(p -> p.error() != null)
                    .map(p -> RowFactory.create(ScoreFormat.failed(p.item().idx(), p.item().fileName(), p.error(), labelCount)));
            JavaPairRDD<Long, Iterable<Ranked>> batches = planned.filter(p -> p.error() == null)
                    .sortBy(p -> ((long) p.frames() << 40) | p.item().idx(), true, n)
                    .zipWithIndex()
                    .mapToPair(t -> new Tuple2<>(t._2() / Predictor.BATCH, new Ranked(t._2(), t._1().item())))
                    .groupByKey(n);
            JavaRDD<Row> good = batches.flatMap(b -> scoreBatch(b._2(), features).iterator());
            out = bad.union(good);
        } else {
            out = items.mapPartitions(it -> scoreChunks(it, features));
        }
        StructType withIdx = new StructType().add(IDX, DataTypes.LongType, false);
        for (StructField f : schema().fields()) withIdx = withIdx.add(f);
        return spark.createDataFrame(out, withIdx).orderBy(IDX).drop(IDX);
    }

    /** A row's length (or why it cannot be scored), from reading its features once. */
    private Planned plan(Item it, String features) {
        Loaded l = load(List.of(it), features).getFirst();
        return new Planned(it, l.utt() == null ? 0 : l.utt().frames(), l.error());
    }

    /** One exact batch: the rows in the order vavl predict has them (length, then input position). */
    private List<Row> scoreBatch(Iterable<Ranked> members, String features) {
        List<Ranked> sorted = new ArrayList<>();
        members.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(Ranked::rank));
        List<Item> items = sorted.stream().map(Ranked::item).toList();
        return scoreLoaded(items, load(items, features));
    }

    /** Not exact: a partition in chunks of {@link #CHUNK} rows, each scored as vavl predict scores a corpus. */
    private Iterator<Row> scoreChunks(Iterator<Item> it, String features) {
        return new Iterator<>() {
            private Iterator<Row> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && it.hasNext()) {
                    List<Item> chunk = new ArrayList<>(CHUNK);
                    while (it.hasNext() && chunk.size() < CHUNK) chunk.add(it.next());
                    current = scoreLoaded(chunk, load(chunk, features)).iterator();
                }
                return current.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                return current.next();
            }
        };
    }

    /** Scores the loaded utterances of {@code items} in one call (the predictor batches them); failures become error rows. */
    private List<Row> scoreLoaded(List<Item> items, List<Loaded> loaded) {
        int labelCount = labels.size();
        List<Row> rows = new ArrayList<>(items.size());
        List<Item> ok = new ArrayList<>();
        List<Utterance> utts = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Loaded l = loaded.get(i);
            if (l.error() != null) {
                rows.add(RowFactory.create(ScoreFormat.failed(items.get(i).idx(), items.get(i).fileName(), l.error(), labelCount)));
            } else {
                ok.add(items.get(i));
                utts.add(l.utt());
            }
        }
        if (utts.isEmpty()) return rows;
        Predictor p = Predictors.get(model, threads);
        List<Prediction> preds;
        try {
            preds = p.predictUtterances(utts, null);
        } catch (InvalidInputException e) {
            // e.g. a non-finite output for one utterance: score each alone, so only that one fails
            for (int i = 0; i < utts.size(); i++) {
                try {
                    Prediction one = p.predictUtterances(List.of(utts.get(i)), null).getFirst();
                    rows.add(RowFactory.create(ScoreFormat.scored(ok.get(i).idx(), ok.get(i).fileName(), one, labelCount)));
                } catch (InvalidInputException e1) {
                    rows.add(RowFactory.create(ScoreFormat.failed(ok.get(i).idx(), ok.get(i).fileName(), e1.getMessage(), labelCount)));
                }
            }
            return rows;
        }
        for (int i = 0; i < preds.size(); i++) {
            rows.add(RowFactory.create(ScoreFormat.scored(ok.get(i).idx(), ok.get(i).fileName(), preds.get(i), labelCount)));
        }
        return rows;
    }

    /**
     * The utterances of {@code items} as {@code vavl predict} loads them: from the files through
     * {@link Corpus#load} (the same path checks, dimension checks and frame cap) or from the row's arrays.
     */
    private List<Loaded> load(List<Item> items, String features) {
        List<Loaded> out = new ArrayList<>(items.size());
        for (Item it : items) {
            if (it.error() != null) {
                out.add(new Loaded(null, it.error()));
                continue;
            }
            Utterance u;
            try {
                if (features != null) {
                    Corpus c = Corpus.load(List.of(it.row()), Path.of(features), audioDim, visualDim, maxFrames, null);
                    if (c.utterances().isEmpty()) {
                        out.add(new Loaded(null, c.skipped().isEmpty() ? it.fileName() + ": no features" : c.skipped().getFirst().replaceFirst("; skipped$", "")));
                        continue;
                    }
                    u = c.utterances().getFirst();
                } else {
                    Features a = it.audio() == null ? null : new Features(it.audio(), it.audioFrames(), audioDim);
                    Features v = it.visual() == null ? null : new Features(it.visual(), it.visualFrames(), visualDim);
                    if (a == null && v == null) {
                        out.add(new Loaded(null, it.fileName() + ": has neither audio nor visual features"));
                        continue;
                    }
                    u = new Utterance(it.row(), a == null || maxFrames == 0 ? a : a.capped(maxFrames), v == null || maxFrames == 0 ? v : v.capped(maxFrames));
                }
            } catch (InvalidInputException e) {
                out.add(new Loaded(null, e.getMessage()));
                continue;
            }
            if (!((u.hasAudio() && audioHead) || (u.hasVisual() && visualHead))) {
                String has = u.hasAudio() ? "audio" : "visual";
                out.add(new Loaded(null, it.fileName() + ": has only " + has + " features, but model " + model + " was trained on "
                        + (audioHead ? "audio" : "visual") + " only"));
                continue;
            }
            out.add(new Loaded(u, null));
        }
        return out;
    }

    /** FileName without its extension, as vavl4j's manifest reader takes it (a dot in the last component only, not a leading one). */
    static String stem(String fileName) {
        int slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
        int dot = fileName.lastIndexOf('.');
        return dot > slash + 1 ? fileName.substring(0, dot) : fileName;
    }

    private static int fieldIndex(StructType s, String name, DataType type) {
        for (int i = 0; i < s.fields().length; i++) {
            StructField f = s.fields()[i];
            if (f.name().equals(name)) {
                if (!f.dataType().equals(type)) throw new InvalidInputException("column " + name + " is " + f.dataType().simpleString() + ", expected " + type.simpleString());
                return i;
            }
        }
        throw new InvalidInputException("the DataFrame has no " + name + " column (columns: " + String.join(", ", s.fieldNames()) + ")");
    }

    // ------------------------------------------------------------------ what travels between the stages

    /**
     * One input row: its position in the input, its manifest line and file name; for {@link #scoreFeatures}
     * its raw features; or the error that already stops it.
     */
    record Item(long idx, int line, String fileName, String stem, String manifest, float[] audio, int audioFrames,
                float[] visual, int visualFrames, String error) implements Serializable {
        static Item file(long idx, int line, String fileName, String stem, String manifest) {
            return new Item(idx, line, fileName, stem, manifest, null, 0, null, 0, null);
        }

        static Item inline(long idx, String fileName, float[] audio, int audioFrames, float[] visual, int visualFrames) {
            return new Item(idx, (int) Math.min(idx + 1, Integer.MAX_VALUE), fileName, VavlScorer.stem(fileName), null, audio, audioFrames, visual, visualFrames, null);
        }

        static Item failed(long idx, String fileName, String error) {
            return new Item(idx, 0, fileName, fileName, null, null, 0, null, 0, error);
        }

        ManifestRow row() {
            return new ManifestRow(line, fileName, stem, null, null, new double[0], manifest == null ? null : Path.of(manifest));
        }
    }

    record Planned(Item item, int frames, String error) implements Serializable {}

    record Ranked(long rank, Item item) implements Serializable {}

    private record Loaded(Utterance utt, String error) {}

    /** A feature column of {@link #scoreFeatures}: nested [frames][dim], or flat with a frames column. */
    record FeatureColumn(String name, int at, boolean nested, int framesAt) implements Serializable {
        static FeatureColumn of(StructType s, String name) {
            int at = -1;
            for (int i = 0; i < s.fields().length; i++) if (s.fields()[i].name().equals(name)) at = i;
            if (at < 0) return null;
            DataType t = s.fields()[at].dataType();
            if (t instanceof ArrayType outer && outer.elementType() instanceof ArrayType inner && isReal(inner.elementType())) {
                return new FeatureColumn(name, at, true, -1);
            }
            if (t instanceof ArrayType flat && isReal(flat.elementType())) {
                String frames = name + "_frames";
                int fa = -1;
                for (int i = 0; i < s.fields().length; i++) if (s.fields()[i].name().equals(frames)) fa = i;
                if (fa < 0) throw new InvalidInputException("column " + name + " is a flat array; it needs an int column " + frames);
                DataType ft = s.fields()[fa].dataType();
                if (!ft.equals(DataTypes.IntegerType) && !ft.equals(DataTypes.LongType)) {
                    throw new InvalidInputException("column " + frames + " is " + ft.simpleString() + ", expected int");
                }
                return new FeatureColumn(name, at, false, fa);
            }
            throw new InvalidInputException("column " + name + " is " + t.simpleString()
                    + "; expected array<array<float>> ([frames][dim]) or array<float> with " + name + "_frames (float or double)");
        }

        private static boolean isReal(DataType t) {
            return t.equals(DataTypes.FloatType) || t.equals(DataTypes.DoubleType);
        }

        /** The row's features [frames·dim], or null for a null value (a missing modality). */
        float[] values(Row r, int dim) {
            if (r.isNullAt(at)) return null;
            List<Object> outer = r.getList(at);
            int frames;
            float[] v;
            if (nested) {
                frames = outer.size();
                v = new float[Math.multiplyExact(frames, dim)];
                for (int f = 0; f < frames; f++) {
                    Object frame = outer.get(f);
                    if (frame == null) throw new InvalidInputException(name + " frame " + f + " is null");
                    List<?> values = scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) frame);
                    if (values.size() != dim) throw new InvalidInputException(name + " features have dim " + values.size() + " (frame " + f + "), the model expects " + dim);
                    for (int d = 0; d < dim; d++) v[f * dim + d] = value(values.get(d), f, d);
                }
            } else {
                if (r.isNullAt(framesAt)) throw new InvalidInputException(name + "_frames is null");
                long fr = ((Number) r.get(framesAt)).longValue();
                if (fr < 1 || fr > Integer.MAX_VALUE) throw new InvalidInputException(name + "_frames is " + fr);
                frames = (int) fr;
                if (outer.size() % frames != 0 || outer.size() / frames != dim) {
                    throw new InvalidInputException(name + " has " + outer.size() + " values for " + frames + " frames: dim "
                            + (outer.size() % frames == 0 ? String.valueOf(outer.size() / frames) : (double) outer.size() / frames)
                            + ", the model expects " + dim);
                }
                v = new float[outer.size()];
                for (int i = 0; i < v.length; i++) v[i] = value(outer.get(i), i / dim, i % dim);
            }
            if (frames < 1) throw new InvalidInputException(name + ": no frames");
            return v;
        }

        private float value(Object o, int frame, int d) {
            if (o == null) throw new InvalidInputException(name + " value at frame " + frame + ", dim " + d + " is null");
            float x = ((Number) o).floatValue();
            if (!Float.isFinite(x)) throw new InvalidInputException(name + " value at frame " + frame + ", dim " + d + " is " + x);
            return x;
        }
    }
}
