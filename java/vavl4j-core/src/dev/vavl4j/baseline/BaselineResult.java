package dev.vavl4j.baseline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.metrics.EvaluationReport;
import dev.vavl4j.model.VavlConfig.Task;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of {@link Baseline#run}: the metrics on the requested split in the form {@code vavl evaluate}
 * reports VAVL's ({@code report}), how each source's λ was chosen ({@code audio}, {@code visual},
 * {@code fusion}; never null, see {@link SourceChoice#fitted()}), the grid searched, and {@code warnings}
 * (manifest rows skipped because they have no features, and any logistic fit that stopped before converging).
 */
public record BaselineResult(Task task, List<Double> lambdaGrid, EvaluationReport report, SourceChoice audio,
                             SourceChoice visual, SourceChoice fusion, List<String> warnings) {
    private static final ObjectMapper JSON = dev.vavl4j.io.JsonFiles.strictMapper(ObjectMapper.class);

    /** Copies the lists; throws IllegalArgumentException for a null task, report or source choice. */
    public BaselineResult {
        if (task == null || report == null || audio == null || visual == null || fusion == null) {
            throw new IllegalArgumentException("task, report and the three source choices must not be null");
        }
        lambdaGrid = List.copyOf(lambdaGrid);
        warnings = List.copyOf(warnings);
    }

    /** The three sources in report order: audio, visual, fusion. */
    public List<SourceChoice> choices() {
        return List.of(audio, visual, fusion);
    }

    /** The development metric λ is chosen by: {@code accuracy} or {@code ccc_mean}. */
    public String selectionMetric() {
        return task == Task.CLASSIFICATION ? "accuracy" : "ccc_mean";
    }

    /**
     * {@link EvaluationReport#toJson}'s object with one more key, {@code "baseline"}: {"task",
     * "selection_metric", "lambda_grid": [...], "audio" | "visual" | "fusion": {"train_n", "dev_n", and when a
     * model was fitted "lambda", "dev_score", "dev_loss"}, "warnings": [...]}. Compact.
     */
    public String toJson() {
        return write(JSON.writer());
    }

    /** {@link #toJson} indented, as {@code vavl baseline --json} writes it. */
    public String toPrettyJson() {
        return write(JSON.writerWithDefaultPrettyPrinter());
    }

    private String write(ObjectWriter w) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(report.toJson());
            ObjectNode b = root.putObject("baseline");
            b.put("task", task.name().toLowerCase(Locale.ROOT));
            b.put("selection_metric", selectionMetric());
            ArrayNode grid = b.putArray("lambda_grid");
            lambdaGrid.forEach(grid::add);
            for (SourceChoice c : choices()) {
                ObjectNode o = b.putObject(c.source());
                o.put("train_n", c.trainN());
                o.put("dev_n", c.devN());
                if (!c.fitted()) continue;
                o.put("lambda", c.lambda());
                o.put("dev_score", c.devScore());
                o.put("dev_loss", c.devLoss());
            }
            ArrayNode warn = b.putArray("warnings");
            warnings.forEach(warn::add);
            return w.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);   // our own report's JSON always parses, and a tree always serializes
        }
    }
}
