package dev.vavl4j.model;

import dev.vavl4j.ConfigException;
import dev.vavl4j.backend.Backend;
import java.util.Locale;

/**
 * A rough estimate of the JVM heap a model needs, so that a configuration which cannot fit is refused before
 * anything is allocated (and not minutes later with an {@code OutOfMemoryError}). It is meant as a lower
 * bound: it counts what certainly lives at once and refuses only what cannot fit, so a model it accepts may
 * still run out of heap on long utterances or a large corpus (the corpus itself is not counted).
 * <ul>
 * <li><b>parameters</b>: every float32 value of spec §8 (weights and batch-norm buffers);</li>
 * <li><b>state</b>: on the CPU backend the weights (4 bytes each); training adds gradients and both Adam
 *     moments (16 bytes per parameter in all). Every backend also needs the host copies a checkpoint is read
 *     into or written from: the weights (4 bytes), for training the Adam moments too (12 bytes);</li>
 * <li><b>activations</b> (CPU backend only; a GPU keeps them on the device): for a batch of {@code B}
 *     utterances of {@code T} frames (the frame cap, at most {@link #NOMINAL_FRAMES}), per frame
 *     {@code (2E + 10)·d + H·T} values in each Conformer block that is alive at once (one encoder and the
 *     shared layers when training, both encoders and the shared layers in inference), plus the inputs.</li>
 * </ul>
 */
public record MemoryEstimate(String purpose, long parameters, long stateBytes, long activationBytes, int batch, int frames) {
    /** Frames per utterance the activation estimate assumes when the frame cap is larger or absent (2 s at 50 frames/s). */
    public static final int NOMINAL_FRAMES = 100;

    /** Training {@code cfg} with batches of {@code batchSize} and frame cap {@code maxFrames} (0: none) on {@code be}. */
    public static MemoryEstimate training(VavlConfig cfg, int batchSize, int maxFrames, Backend be) {
        return training(cfg, batchSize, maxFrames, onHeap(be));
    }

    /** Inference of {@code cfg} in batches of {@code batchSize}, frame cap {@code maxFrames} (0: none), on {@code be}. */
    public static MemoryEstimate inference(VavlConfig cfg, int batchSize, int maxFrames, Backend be) {
        return inference(cfg, batchSize, maxFrames, onHeap(be));
    }

    /** As {@link #training(VavlConfig, int, int, Backend)}; {@code onHeap}: the backend keeps tensors on the JVM heap (the CPU backend). */
    public static MemoryEstimate training(VavlConfig cfg, int batchSize, int maxFrames, boolean onHeap) {
        long p = parameters(cfg);
        int t = frames(maxFrames);
        // host copies for a checkpoint save (weights + Adam moments) outlive no batch, so they overlap the
        // activations only in the sense of the larger of the two
        long host = 12 * p;
        long act = onHeap ? activations(cfg, batchSize, t, cfg.modalityLayers() + cfg.sharedLayers()) : 0;
        long state = onHeap ? 16 * p + Math.max(0, host - act) : host;
        return new MemoryEstimate("train", p, state, act, batchSize, t);
    }

    /** As {@link #inference(VavlConfig, int, int, Backend)}; {@code onHeap}: the backend keeps tensors on the JVM heap. */
    public static MemoryEstimate inference(VavlConfig cfg, int batchSize, int maxFrames, boolean onHeap) {
        long p = parameters(cfg);
        int t = frames(maxFrames);
        long act = onHeap ? activations(cfg, batchSize, t, 2 * cfg.modalityLayers() + cfg.sharedLayers()) : 0;
        return new MemoryEstimate("run", p, (onHeap ? 8 : 4) * p, act, batchSize, t);
    }

    /** Float32 values of every parameter and buffer of {@code cfg} (spec §8). */
    public static long parameters(VavlConfig cfg) {
        long n = 0;
        for (int[] s : ParamLayout.parameters(cfg).values()) n += elements(s);
        for (int[] s : ParamLayout.buffers(cfg).values()) n += elements(s);
        return n;
    }

    public long totalBytes() {
        return stateBytes + activationBytes;
    }

    /** Refuses, with a {@link ConfigException} saying how much is needed and how much there is, when the total exceeds {@code maxHeapBytes}. */
    public void requireFits(long maxHeapBytes) {
        if (totalBytes() <= maxHeapBytes) return;
        throw new ConfigException(String.format(Locale.ROOT,
                "the model needs about %s of heap to %s (%,d parameters: %s for weights%s%s), but the JVM's maximum heap (-Xmx) is %s; "
                        + "choose a smaller model (model_dim, ff_expansion, modality_layers, shared_layers, head_hidden)%s or a larger -Xmx",
                bytes(totalBytes()), purpose, parameters, bytes(stateBytes), purpose.equals("train") ? ", gradients, Adam moments and host copies" : " and host copies",
                activationBytes > 0 ? String.format(Locale.ROOT, ", %s for the activations of a batch of %d × %d frames", bytes(activationBytes), batch, frames) : "",
                bytes(maxHeapBytes), activationBytes > 0 ? ", a smaller batch" : ""));
    }

    /** {@link #requireFits} against this JVM's {@link Runtime#maxMemory()}. */
    public void requireFitsHeap() {
        requireFits(Runtime.getRuntime().maxMemory());
    }

    private static boolean onHeap(Backend be) {
        return !be.name().contains("cuda");   // the CPU backend's tensors are float[]s; CUDA's live on the device
    }

    private static int frames(int maxFrames) {
        return maxFrames > 0 ? Math.min(maxFrames, NOMINAL_FRAMES) : NOMINAL_FRAMES;
    }

    private static long activations(VavlConfig c, int batch, int t, int blocks) {
        long perFrameBlock = (2L * c.ffExpansion() + 10) * c.modelDim() + (long) c.heads() * t;
        long perFrame = blocks * perFrameBlock + c.audioDim() + c.visualDim() + 2L * c.modelDim();
        return 4L * batch * t * perFrame;
    }

    private static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    static String bytes(long b) {
        if (b >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        if (b >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }
}
