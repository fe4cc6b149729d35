package dev.vavl4j.cli;

import dev.vavl4j.model.VavlConfig;
import java.util.List;

/** The parsing of {@code --task} and {@code --labels} that train, crossval and baseline share. */
final class TaskOptions {
    private TaskOptions() {}

    /** {@code classification} or {@code regression}; anything else is a usage error naming it. */
    static VavlConfig.Task task(String task) {
        return switch (task) {
            case "classification" -> VavlConfig.Task.CLASSIFICATION;
            case "regression" -> VavlConfig.Task.REGRESSION;
            default -> throw new UsageException("--task must be classification or regression, got '" + task + "'");
        };
    }

    /** One comma-separated value ("a, b" means columns a and b); an empty name is a usage error. */
    static List<String> labels(String labels) {
        List<String> columns = java.util.Arrays.stream(labels.split(",", -1)).map(String::strip).toList();
        if (columns.stream().anyMatch(String::isEmpty)) throw new UsageException("--labels has an empty column name: '" + labels + "'");
        return columns;
    }
}
