package dev.vavl4j.checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * Which of the three prediction heads (spec §7) a checkpoint's training actually trained. A head is trained
 * when its step of spec §6 can run on the Train split: the audio head needs at least 2 Train utterances with
 * audio, the visual head 2 with visual, the fusion head 2 with both. A corpus with one modality trains one
 * head; the other encoder and heads keep their initial weights and are never asked for an answer. Every
 * checkpoint written before this was recorded trained on both modalities, so a missing record means all three.
 */
public record TrainedHeads(boolean audio, boolean visual, boolean fusion) {
    public static final TrainedHeads ALL = new TrainedHeads(true, true, true);

    /** The names checkpoint.json's {@code heads} holds, in this order. */
    public static final List<String> NAMES = List.of("audio", "visual", "fusion");

    public TrainedHeads {
        if (!audio && !visual && !fusion) throw new IllegalArgumentException("a model has at least one trained head");
        if (fusion && !(audio && visual)) {
            throw new IllegalArgumentException("the fusion head is trained on the audio and visual encoders; both heads must be trained too");
        }
    }

    /** Whether the head named {@code name} ("audio", "visual" or "fusion") was trained. */
    public boolean has(String name) {
        return switch (name) {
            case "audio" -> audio;
            case "visual" -> visual;
            case "fusion" -> fusion;
            default -> throw new IllegalArgumentException("no head '" + name + "' (heads: " + NAMES + ")");
        };
    }

    public boolean all() {
        return audio && visual && fusion;
    }

    /** The trained heads' names, in {@link #NAMES}' order. */
    public List<String> names() {
        List<String> out = new ArrayList<>(3);
        for (String n : NAMES) if (has(n)) out.add(n);
        return out;
    }

    /**
     * From a list of names as {@link #names()} gives. Errors name {@code source}: a name that is not a head, one
     * given twice, an empty list, or fusion without both unimodal heads.
     */
    public static TrainedHeads fromNames(List<String> names, String source) {
        boolean[] seen = new boolean[3];
        for (String n : names) {
            int i = NAMES.indexOf(n);
            if (i < 0) throw new dev.vavl4j.io.FormatException(source + ": '" + n + "' is not a head (heads: " + NAMES + ")");
            if (seen[i]) throw new dev.vavl4j.io.FormatException(source + ": '" + n + "' is listed twice");
            seen[i] = true;
        }
        try {
            return new TrainedHeads(seen[0], seen[1], seen[2]);
        } catch (IllegalArgumentException e) {
            throw new dev.vavl4j.io.FormatException(source + ": " + names + ": " + e.getMessage());
        }
    }

    /** "audio", "audio, visual and fusion", ... for messages. */
    @Override
    public String toString() {
        List<String> n = names();
        return n.size() == 1 ? n.getFirst() : String.join(", ", n.subList(0, n.size() - 1)) + " and " + n.getLast();
    }
}
