package dev.vavl4j.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The synthetic batch benchmarks and device checks run on, shaped like the PyTorch peer's
 * (shared/oracle/peer_bench.py): inputs uniform in [−1, 1), lengths uniform in [T/2, T] with sample 0
 * at T so the padded length is exactly T, both modalities present, one-hot (classification) or
 * uniform (regression) labels.
 */
public final class RandomBatch {
    private RandomBatch() {}

    public static Batch of(VavlConfig cfg, int batch, int audioFrames, int visualFrames, long seed) {
        if (batch < 1 || audioFrames < 1 || visualFrames < 1) {
            throw new IllegalArgumentException("batch and frame counts must be at least 1, got batch " + batch
                    + ", audio frames " + audioFrames + ", visual frames " + visualFrames);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        boolean[] all = new boolean[batch];
        Arrays.fill(all, true);
        int C = cfg.outputs();
        float[] labels = new float[batch * C];
        for (int b = 0; b < batch; b++) {
            if (cfg.task() == VavlConfig.Task.CLASSIFICATION) labels[b * C + rng.nextInt(C)] = 1f;
            else for (int c = 0; c < C; c++) labels[b * C + c] = (float) rng.nextDouble();
        }
        return new Batch(sequences(rng, batch, audioFrames, cfg.audioDim()), sequences(rng, batch, visualFrames, cfg.visualDim()),
                all, all.clone(), labels, C);
    }

    private static SequenceBatch sequences(SplittableRandom rng, int B, int T, int D) {
        float[] x = new float[B * T * D];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 2 - 1);
        int[] len = new int[B];
        for (int b = 0; b < B; b++) len[b] = b == 0 ? T : Math.max(1, T / 2) + rng.nextInt(T - Math.max(1, T / 2) + 1);
        return new SequenceBatch(x, len, T, D);
    }
}
