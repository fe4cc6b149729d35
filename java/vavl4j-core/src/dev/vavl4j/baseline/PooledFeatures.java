package dev.vavl4j.baseline;

import dev.vavl4j.data.Features;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.predict.Source;
import java.util.ArrayList;
import java.util.List;

/**
 * Utterance-level statistics of frame features: per feature dimension the mean and the biased (1/T)
 * standard deviation over the frames, laid out {@code [mean_0 .. mean_{D-1}, std_0 .. std_{D-1}]}. The
 * fusion source concatenates the audio block and the visual block.
 */
final class PooledFeatures {
    private PooledFeatures() {}

    /** The utterances a source covers and their pooled rows, in the order given. */
    record Rows(List<Utterance> utterances, DesignMatrix x) {}

    /** The utterances {@code source} can use (audio: with audio, visual: with visual, fusion: with both). */
    static boolean covers(Source source, Utterance u) {
        return switch (source) {
            case AUDIO -> u.hasAudio();
            case VISUAL -> u.hasVisual();
            case FUSION -> u.hasAudio() && u.hasVisual();
        };
    }

    /** Pools every utterance of {@code utts} that {@code source} covers; {@code audioDim}/{@code visualDim} are the corpus' dims. */
    static Rows of(Source source, List<Utterance> utts, int audioDim, int visualDim) {
        List<Utterance> kept = new ArrayList<>();
        for (Utterance u : utts) if (covers(source, u)) kept.add(u);
        int audioCols = source == Source.VISUAL ? 0 : 2 * audioDim;
        int visualCols = source == Source.AUDIO ? 0 : 2 * visualDim;
        int cols = audioCols + visualCols;
        double[] x = new double[Math.multiplyExact(kept.size(), cols)];
        for (int i = 0; i < kept.size(); i++) {
            Utterance u = kept.get(i);
            if (audioCols > 0) pool(u.audio(), x, i * cols);
            if (visualCols > 0) pool(u.visual(), x, i * cols + audioCols);
        }
        return new Rows(List.copyOf(kept), new DesignMatrix(x, kept.size(), cols));
    }

    /** Writes the 2·D pooled values of {@code f} at {@code out[offset ..]}; two passes (mean first) avoid cancellation. */
    static void pool(Features f, double[] out, int offset) {
        int frames = f.frames(), dim = f.dim();
        if (frames == 0) throw new IllegalArgumentException("cannot pool features with 0 frames");
        float[] v = f.values();
        for (int t = 0; t < frames; t++) {
            for (int d = 0; d < dim; d++) out[offset + d] += v[t * dim + d];
        }
        for (int d = 0; d < dim; d++) out[offset + d] /= frames;
        for (int t = 0; t < frames; t++) {
            for (int d = 0; d < dim; d++) {
                double c = v[t * dim + d] - out[offset + d];
                out[offset + dim + d] += c * c;
            }
        }
        for (int d = 0; d < dim; d++) out[offset + dim + d] = Math.sqrt(out[offset + dim + d] / frames);
    }
}
