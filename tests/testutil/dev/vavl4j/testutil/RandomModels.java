package dev.vavl4j.testutil;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.model.Batch;
import dev.vavl4j.model.ParamLayout;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.SequenceBatch;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.VavlModel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random weights for any configuration (from {@link ParamLayout}) and random host batches with
 * unequal lengths, optional missing modalities and a choice of what the padded frames hold.
 */
public final class RandomModels {
    private RandomModels() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What padded frames (and the rows of absent modalities) hold. */
    public enum Pad {
        /** zeros */
        ZERO,
        /** NaN, ±Inf, ±1e30 and 3e38 in turn */
        GARBAGE
    }

    private static final float[] GARBAGE = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f, 3e38f};

    /**
     * A small config (d 8, 2 heads, K 3, one block per encoder and one shared block, no dropout, lr 1e-2)
     * with the given overrides; keys as in spec §1.
     */
    public static VavlConfig smallConfig(Map<String, Object> overrides) {
        ObjectNode o = JSON.createObjectNode();
        o.put("audio_dim", 10).put("visual_dim", 12).put("proj_dim", 6).put("model_dim", 8).put("heads", 2)
                .put("ff_expansion", 2).put("conv_kernel", 3).put("modality_layers", 1).put("shared_layers", 1)
                .put("outputs", 3).put("dropout", 0.0).put("head_dropout", 0.0).put("lr", 1e-2);
        o.putArray("head_hidden").add(8).add(6);
        overrides.forEach((k, v) -> o.set(k, JSON.valueToTree(v)));
        return VavlConfig.fromJson(o.toString(), "test");
    }

    public static VavlConfig smallConfig() {
        return smallConfig(Map.of());
    }

    /**
     * Every parameter and buffer of {@code cfg}: 1-D weights (LayerNorm/BatchNorm) ≈ 1, biases (and the
     * attention u/v biases) small, matrices ~N(0, 1/fan_in), running means small, running variances in
     * [0.5, 1.5].
     */
    public static Map<String, HostTensor> weights(VavlConfig cfg, long seed) {
        Random rnd = new Random(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        ParamLayout.parameters(cfg).forEach((name, shape) -> {
            int n = size(shape);
            float[] v = new float[n];
            if (name.endsWith("_bias") || name.endsWith(".bias")) {
                for (int i = 0; i < n; i++) v[i] = (float) (0.1 * rnd.nextGaussian());
            } else if (shape.length == 1) {
                for (int i = 0; i < n; i++) v[i] = (float) (1 + 0.1 * rnd.nextGaussian());
            } else {
                double sd = 1 / Math.sqrt(shape[1]);
                for (int i = 0; i < n; i++) v[i] = (float) (sd * rnd.nextGaussian());
            }
            out.put(name, HostTensor.ofFloats(v, shape));
        });
        ParamLayout.buffers(cfg).forEach((name, shape) -> {
            int n = size(shape);
            float[] v = new float[n];
            boolean var = name.endsWith("running_var");
            for (int i = 0; i < n; i++) v[i] = var ? (float) (0.5 + rnd.nextDouble()) : (float) (0.1 * rnd.nextGaussian());
            out.put(name, HostTensor.ofFloats(v, shape));
        });
        return out;
    }

    /** A fresh CPU model with a deep copy of {@code weights} (models never share storage). */
    public static VavlModel model(VavlConfig cfg, Map<String, HostTensor> weights) {
        return model(new CpuBackend(), cfg, weights);
    }

    public static VavlModel model(Backend be, VavlConfig cfg, Map<String, HostTensor> weights) {
        return new VavlModel(cfg, ParameterStore.fromHost(be, cfg, copy(weights), "test weights"));
    }

    public static Map<String, HostTensor> copy(Map<String, HostTensor> w) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        w.forEach((k, t) -> out.put(k, HostTensor.ofFloats(t.asFloats().clone(), t.shape())));
        return out;
    }

    /**
     * A batch with the given per-sample lengths and modality flags (lengths of absent modalities are
     * ignored but must be in [1, T]); valid frames ~N(0,1), labels one-hot (classification) or N(0,1)
     * (regression). The random values depend only on {@code seed} and the shapes, not on {@code pad}.
     */
    public static Batch batch(VavlConfig cfg, long seed, int ta, int[] audioLen, boolean[] hasAudio, int tv,
                              int[] visualLen, boolean[] hasVisual, Pad pad) {
        Random rnd = new Random(seed);
        int B = hasAudio.length;
        SequenceBatch a = sequences(rnd, B, ta, cfg.audioDim(), audioLen, hasAudio, pad);
        SequenceBatch v = sequences(rnd, B, tv, cfg.visualDim(), visualLen, hasVisual, pad);
        int C = cfg.outputs();
        float[] y = new float[B * C];
        for (int b = 0; b < B; b++) {
            if (cfg.classification()) {
                y[b * C + rnd.nextInt(C)] = 1f;
            } else {
                for (int c = 0; c < C; c++) y[b * C + c] = (float) rnd.nextGaussian();
            }
        }
        return new Batch(a, v, hasAudio.clone(), hasVisual.clone(), y, C);
    }

    /** B samples with random unequal lengths (the first sample has the full length T). */
    public static Batch batch(VavlConfig cfg, long seed, int B, int ta, int tv, boolean[] hasAudio, boolean[] hasVisual,
                              Pad pad) {
        Random rnd = new Random(~seed);
        return batch(cfg, seed, ta, lengths(rnd, B, ta), hasAudio, tv, lengths(rnd, B, tv), hasVisual, pad);
    }

    /** Every sample has both modalities. */
    public static Batch batch(VavlConfig cfg, long seed, int B, int ta, int tv, Pad pad) {
        boolean[] all = new boolean[B];
        Arrays.fill(all, true);
        return batch(cfg, seed, B, ta, tv, all, all, pad);
    }

    /** Lengths in [1, T], first = T, the others distinct where T allows. */
    public static int[] lengths(Random rnd, int B, int T) {
        int[] l = new int[B];
        l[0] = T;
        for (int b = 1; b < B; b++) {
            l[b] = 1 + rnd.nextInt(T);
            if (b < T) { // make them differ from each other when possible
                for (int tries = 0; tries < 20 && contains(l, b, l[b]); tries++) l[b] = 1 + rnd.nextInt(T);
            }
        }
        return l;
    }

    private static boolean contains(int[] a, int upTo, int v) {
        for (int i = 0; i < upTo; i++) if (a[i] == v) return true;
        return false;
    }

    private static SequenceBatch sequences(Random rnd, int B, int T, int D, int[] len, boolean[] has, Pad pad) {
        float[] x = new float[B * T * D];
        int g = 0;
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int c = 0; c < D; c++) {
                    float value = (float) rnd.nextGaussian(); // always drawn: values do not depend on pad
                    boolean valid = has[b] && t < len[b];
                    x[(b * T + t) * D + c] = valid ? value : pad == Pad.ZERO ? 0f : GARBAGE[g++ % GARBAGE.length];
                }
            }
        }
        return new SequenceBatch(x, len.clone(), T, D);
    }

    /** The same batch with every sequence padded to longer times (new frames filled per {@code pad}). */
    public static Batch padTo(Batch b, int ta, int tv, Pad pad) {
        return new Batch(padTo(b.audio(), ta, pad), padTo(b.visual(), tv, pad), b.hasAudio().clone(),
                b.hasVisual().clone(), b.labels().clone(), b.outputs());
    }

    public static SequenceBatch padTo(SequenceBatch s, int T, Pad pad) {
        if (T < s.time()) throw new IllegalArgumentException("cannot shrink " + s.time() + " to " + T);
        int B = s.batch(), D = s.dim();
        float[] x = new float[B * T * D];
        int g = 0;
        for (int b = 0; b < B; b++) {
            System.arraycopy(s.x(), b * s.time() * D, x, b * T * D, s.time() * D);
            if (pad == Pad.GARBAGE) {
                for (int i = (b * T + s.time()) * D; i < (b + 1) * T * D; i++) x[i] = GARBAGE[g++ % GARBAGE.length];
            }
        }
        return new SequenceBatch(x, s.lengths().clone(), T, D);
    }

    /** Host copies of a single sample (B = 1, padded to its own lengths). */
    public static Batch sample(Batch b, int i) {
        int[] rows = {i};
        int C = b.outputs();
        return new Batch(b.audio().select(rows), b.visual().select(rows), new boolean[] {b.hasAudio()[i]},
                new boolean[] {b.hasVisual()[i]}, Arrays.copyOfRange(b.labels(), i * C, (i + 1) * C), C);
    }

    public static int size(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }
}
