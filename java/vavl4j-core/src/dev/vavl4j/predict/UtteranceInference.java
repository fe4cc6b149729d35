package dev.vavl4j.predict;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.data.Batches;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.model.Batch;
import dev.vavl4j.model.Inference;
import dev.vavl4j.model.VavlModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/** Eval-mode model outputs for a list of (already normalised) utterances, batched by length. */
public final class UtteranceInference {
    private UtteranceInference() {}

    /** Raw model outputs [C] of one utterance per head; null where the head does not apply. */
    public record Outputs(float[] audio, float[] visual, float[] fusion) {
        public float[] of(Source s) {
            return switch (s) {
                case AUDIO -> audio;
                case VISUAL -> visual;
                case FUSION -> fusion;
            };
        }

        /**
         * The answer of spec §7: fusion when both modalities are present, else the one there is; among the
         * trained heads only, once {@link #restrictedTo} has dropped the others. Null when no head answered.
         */
        public Source used() {
            return fusion != null ? Source.FUSION : audio != null ? Source.AUDIO : visual != null ? Source.VISUAL : null;
        }

        /**
         * These outputs without the heads training did not train: a model of an audio-only corpus answers with
         * its audio head even when an utterance also has visual features, and not at all for one with visual
         * features only ({@link #used()} is then null).
         */
        public Outputs restrictedTo(dev.vavl4j.checkpoint.TrainedHeads heads) {
            if (heads.all()) return this;
            return new Outputs(heads.audio() ? audio : null, heads.visual() ? visual : null, heads.fusion() ? fusion : null);
        }
    }

    /** Outputs in the order of {@code utts}; {@code onDone} receives the number of utterances finished per batch. */
    public static List<Outputs> run(VavlModel model, List<Utterance> utts, int batchSize, IntConsumer onDone) {
        return run(model, utts, batchSize, UnaryOperator.identity(), onDone);
    }

    /**
     * As {@link #run(VavlModel, List, int, IntConsumer)}, applying {@code prepare} (normalisation, frame cap)
     * to each batch's utterances just before it runs, so a prepared copy of the whole list never exists.
     */
    public static List<Outputs> run(VavlModel model, List<Utterance> utts, int batchSize, UnaryOperator<Utterance> prepare,
                                    IntConsumer onDone) {
        int C = model.config().outputs();
        float[][][] out = new float[utts.size()][3][];
        for (int[] idx : Batches.evaluationOrder(utts, batchSize)) {
            List<Utterance> ready = new ArrayList<>(idx.length);
            for (int i : idx) ready.add(prepare.apply(utts.get(i)));
            int[] local = java.util.stream.IntStream.range(0, idx.length).toArray();
            Batch batch = Batches.assemble(ready, local, model.config().audioDim(), model.config().visualDim(), null, C);
            Inference.Result r = Inference.run(model, batch);
            scatter(r.audio().rows(), r.audio().pred(), idx, out, 0, C);
            scatter(r.visual().rows(), r.visual().pred(), idx, out, 1, C);
            scatter(r.fusion().rows(), r.fusion().pred(), idx, out, 2, C);
            if (onDone != null) onDone.accept(idx.length);
        }
        List<Outputs> list = new ArrayList<>(utts.size());
        for (float[][] o : out) list.add(new Outputs(o[0], o[1], o[2]));
        return list;
    }

    /**
     * Every output of every head must be finite: a NaN or infinite score is never passed on as an answer. The
     * error, an {@link InvalidInputException}, names {@code model}, the utterance (its manifest line, or its
     * place among the inputs) and the head. It means the weights or this utterance's (normalised) features
     * are beyond what float32 arithmetic can carry through the model.
     */
    public static void requireFinite(List<Outputs> outs, List<Utterance> utts, String model) {
        for (int i = 0; i < outs.size(); i++) {
            for (Source s : Source.values()) {
                float[] o = outs.get(i).of(s);
                if (o == null) continue;
                for (int k = 0; k < o.length; k++) {
                    if (!Float.isFinite(o[k])) {
                        ManifestRow row = utts.get(i).row();
                        String which = row.line() > 0 ? row.stem() + " (" + row.where() + ")" : "input " + i;
                        throw new InvalidInputException(model + ": the " + s.key + " head gives " + o[k] + " (output " + k + ") for " + which
                                + "; the model's weights or this utterance's features are out of the range float32 can compute with");
                    }
                }
            }
        }
    }

    private static void scatter(int[] rows, float[] pred, int[] idx, float[][][] out, int slot, int C) {
        for (int i = 0; i < rows.length; i++) out[idx[rows[i]]][slot] = Arrays.copyOfRange(pred, i * C, (i + 1) * C);
    }
}
