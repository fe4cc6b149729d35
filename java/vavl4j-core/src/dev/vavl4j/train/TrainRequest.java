package dev.vavl4j.train;

import dev.vavl4j.model.VavlConfig.Task;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to train: the corpus (manifest and features directory), the task and its label columns, where to
 * write, spec §1 keys that override the paper defaults ({@code modelKeys}, may be empty; input dims, outputs
 * and task come from the data), the {@link TrainSettings} keys given explicitly ({@code trainerKeys}; the
 * rest keep their defaults, or on resume the interrupted run's values), and whether to resume from
 * {@code out/last}. On resume only {@code epochs} and {@code patience} may change.
 *
 * <p>Both key maps hold JSON-like values as in {@link dev.vavl4j.model.VavlConfig#with}: numbers, strings,
 * booleans, lists (e.g. {@code "head_hidden", List.of(512, 256)}) and null, e.g.
 * {@code Map.of("lr", 1e-3, "model_dim", 256)}. A null map means none; both are copied (order kept,
 * unmodifiable).
 */
public record TrainRequest(Path manifest, Path features, Task task, List<String> labels, Path out,
                           Map<String, Object> modelKeys, Map<String, Object> trainerKeys, boolean resume) {
    public TrainRequest {
        modelKeys = copy(modelKeys);
        trainerKeys = copy(trainerKeys);
    }

    /** Unlike {@link Map#copyOf}, keeps the order and allows null values (a JSON null is a value the config rejects by name). */
    private static Map<String, Object> copy(Map<String, Object> keys) {
        return keys == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }
}
