package dev.vavl4j.baseline;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.data.Split;
import dev.vavl4j.model.VavlConfig.Task;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

/**
 * What {@link Baseline#run} fits and where it reports: the corpus (manifest CSV and features directory laid
 * out as for training: {@code features/audio/<stem>.npy}, {@code features/visual/<stem>.npy}), the task and
 * its label columns in output order, and the split whose metrics are reported ({@code split}, usually
 * {@link Split#TEST}). The models are always fitted on Train and their λ chosen on Development.
 */
public record BaselineRequest(Path manifest, Path features, Task task, List<String> labels, Split split) {

    /** Checks what can be checked without reading anything: every part given, label columns named once each. */
    public BaselineRequest {
        if (manifest == null || features == null || task == null || labels == null || split == null) {
            throw new IllegalArgumentException("manifest, features, task, labels and split must not be null");
        }
        labels = List.copyOf(labels);
        if (labels.isEmpty()) throw new InvalidInputException("no label columns given");
        if (new HashSet<>(labels).size() != labels.size()) throw new InvalidInputException("a label column is named twice: " + labels);
    }

    /** The usual request: metrics on the Test split. */
    public BaselineRequest(Path manifest, Path features, Task task, List<String> labels) {
        this(manifest, features, task, labels, Split.TEST);
    }
}
