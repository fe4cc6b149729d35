package dev.vavl4j.data;

import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Utterances with their features from {@code <features>/audio/<stem>.npy} and
 * {@code <features>/visual/<stem>.npy}. A missing file means that utterance lacks the modality; a row with
 * neither is skipped and described in {@code skipped} (one line each, naming the manifest line and stem).
 * {@code audioDim}/{@code visualDim} are the feature sizes (0 when no file of that modality exists).
 */
public record Corpus(List<Utterance> utterances, int audioDim, int visualDim, List<String> skipped) {

    /**
     * Loads the features of {@code rows}. {@code expectedAudioDim}/{@code expectedVisualDim} are the sizes a
     * trained model needs, or 0 to take them from the files; every file of a modality must agree (else a
     * {@link DataException} naming the file, its dim and the expected one). {@code maxFrames > 0} keeps the
     * first maxFrames frames of each sequence. {@code onRowDone} is called once per row (progress).
     * A missing features directory is an error naming it.
     */
    public static Corpus load(List<ManifestRow> rows, Path featuresDir, int expectedAudioDim, int expectedVisualDim,
                              int maxFrames, IntConsumer onRowDone) {
        throw new UnsupportedOperationException("TODO");
    }

    public List<Utterance> split(Split split) {
        return utterances.stream().filter(u -> u.row().split() == split).toList();
    }
}
