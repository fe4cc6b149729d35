package dev.vavl4j.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.model.VavlConfig.Task;
import java.nio.file.Path;
import java.util.List;

/**
 * What to train: the corpus (manifest and features directory), the task and its label columns, where to
 * write, spec §1 keys that override the paper defaults ({@code modelKeys}, may be empty; input dims, outputs
 * and task come from the data), the {@link TrainSettings} keys given explicitly ({@code trainerKeys}; the
 * rest keep their defaults, or on resume the interrupted run's values), and whether to resume from
 * {@code out/last}. On resume only {@code epochs} and {@code patience} may change.
 */
public record TrainRequest(Path manifest, Path features, Task task, List<String> labels, Path out,
                           ObjectNode modelKeys, ObjectNode trainerKeys, boolean resume) {}
