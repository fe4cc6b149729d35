package dev.vavl4j.data;

import dev.vavl4j.io.HostTensor;
import dev.vavl4j.model.Modality;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Per-dimension mean and standard deviation of each modality's features, measured over every frame of the
 * training utterances (double accumulation, population std). A dimension whose std is below 1e-6 is left
 * unscaled (std stored as 1) so constant features never divide by zero. Saved with the model as the
 * tensors {@code audio.mean}, {@code audio.std}, {@code visual.mean}, {@code visual.std} (float32 [D]).
 * <p>Loaded statistics ({@link #fromTensors}) must be what {@link #fit} can produce: every mean finite, every
 * std finite and at least {@link #MIN_STD} (a smaller one, which fit never stores, would blow a feature up by
 * more than 10^6 and is taken for damage).
 */
public record Normalizer(float[] audioMean, float[] audioStd, float[] visualMean, float[] visualStd) {
    /** The smallest std {@link #fit} divides by (smaller ones are stored as 1), and the floor {@link #fromTensors} accepts. */
    public static final double MIN_STD = 1e-6;

    public Normalizer {
        if (audioMean.length != audioStd.length || visualMean.length != visualStd.length) {
            throw new IllegalArgumentException("mean and std lengths differ: audio " + audioMean.length + "/" + audioStd.length
                    + ", visual " + visualMean.length + "/" + visualStd.length);
        }
    }

    /** Statistics of the training utterances; a modality no utterance has gets mean 0, std 1. */
    public static Normalizer fit(List<Utterance> train, int audioDim, int visualDim) {
        List<Features> audio = new ArrayList<>(), visual = new ArrayList<>();
        for (Utterance u : train) {
            if (u.hasAudio()) audio.add(checked(u, Modality.AUDIO, u.audio(), audioDim));
            if (u.hasVisual()) visual.add(checked(u, Modality.VISUAL, u.visual(), visualDim));
        }
        float[][] a = stats(audio, audioDim), v = stats(visual, visualDim);
        return new Normalizer(a[0], a[1], v[0], v[1]);
    }

    /** (x − mean) / std per dimension, as a new Features. */
    public Features apply(Modality m, Features f) {
        float[] mean = m == Modality.AUDIO ? audioMean : visualMean;
        float[] std = m == Modality.AUDIO ? audioStd : visualStd;
        if (f.dim() != mean.length) {
            throw new IllegalArgumentException(m.key + " features have dim " + f.dim() + ", the normalizer " + mean.length);
        }
        float[] in = f.values(), out = new float[in.length];
        int dim = f.dim();
        for (int t = 0, i = 0; t < f.frames(); t++) {
            for (int d = 0; d < dim; d++, i++) out[i] = (in[i] - mean[d]) / std[d];
        }
        return new Features(out, f.frames(), dim);
    }

    /** Every utterance normalised (missing modalities stay null). */
    /**
     * Normalises the feature arrays of {@code utterances} in place and returns them. For a corpus the caller
     * owns (the trainer's): it avoids holding a raw and a normalised copy of every feature matrix at once.
     */
    public List<Utterance> applyInPlace(List<Utterance> utterances) {
        for (Utterance u : utterances) {
            if (u.hasAudio()) normaliseInPlace(u.audio(), audioMean, audioStd, Modality.AUDIO);
            if (u.hasVisual()) normaliseInPlace(u.visual(), visualMean, visualStd, Modality.VISUAL);
        }
        return utterances;
    }

    private static void normaliseInPlace(Features f, float[] mean, float[] std, Modality m) {
        if (f.dim() != mean.length) {
            throw new IllegalArgumentException(m.key + " features have dim " + f.dim() + ", the normalizer " + mean.length);
        }
        float[] v = f.values();
        int dim = f.dim();
        for (int i = 0; i < v.length; i++) v[i] = (v[i] - mean[i % dim]) / std[i % dim];
    }

    public List<Utterance> apply(List<Utterance> utterances) {
        return utterances.stream()
                .map(u -> new Utterance(u.row(),
                        u.hasAudio() ? apply(Modality.AUDIO, u.audio()) : null,
                        u.hasVisual() ? apply(Modality.VISUAL, u.visual()) : null))
                .toList();
    }

    public Map<String, HostTensor> toTensors() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("audio.mean", HostTensor.ofFloats(audioMean.clone(), audioMean.length));
        out.put("audio.std", HostTensor.ofFloats(audioStd.clone(), audioStd.length));
        out.put("visual.mean", HostTensor.ofFloats(visualMean.clone(), visualMean.length));
        out.put("visual.std", HostTensor.ofFloats(visualStd.clone(), visualStd.length));
        return out;
    }

    /**
     * Validates names, float dtype, shapes (against the dims), finiteness and the std floor {@link #MIN_STD};
     * errors are {@link DataException}s naming {@code source}, the tensor and the element.
     */
    public static Normalizer fromTensors(Map<String, HostTensor> tensors, int audioDim, int visualDim, String source) {
        List<String> names = List.of("audio.mean", "audio.std", "visual.mean", "visual.std");
        for (String name : new TreeSet<>(tensors.keySet())) {
            if (!names.contains(name)) {
                throw new DataException(source + ": unexpected tensor '" + name + "' (a normalizer has " + String.join(", ", names) + ")");
            }
        }
        return new Normalizer(vector(tensors, "audio.mean", audioDim, false, source), vector(tensors, "audio.std", audioDim, true, source),
                vector(tensors, "visual.mean", visualDim, false, source), vector(tensors, "visual.std", visualDim, true, source));
    }

    private static float[] vector(Map<String, HostTensor> tensors, String name, int dim, boolean isStd, String source) {
        String where = source + ": tensor '" + name + "'";
        HostTensor t = tensors.get(name);
        if (t == null) throw new DataException(source + ": missing tensor '" + name + "'");
        if (!t.dtype().isFloat()) throw new DataException(where + ": dtype " + t.dtype() + ", expected F32");
        if (t.shape().length != 1 || t.shape()[0] != dim) {
            throw new DataException(where + ": shape " + t.shapeString() + ", expected [" + dim + "]");
        }
        float[] v = t.floats().clone();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) throw new DataException(where + ": element " + i + " is " + v[i]);
            // (float) MIN_STD: fit stores (float) s for s ≥ MIN_STD, which may round to just below the double 1e-6
            if (isStd && !(v[i] >= (float) MIN_STD)) {
                throw new DataException(where + ": element " + i + " is " + v[i] + ", a std must be at least " + MIN_STD);
            }
        }
        return v;
    }

    private static Features checked(Utterance u, Modality m, Features f, int dim) {
        if (f.dim() != dim) {
            throw new DataException("line " + u.row().line() + ": " + u.row().stem() + " has " + m.key + " dim " + f.dim() + ", expected " + dim);
        }
        return f;
    }

    /** {mean, std} per dimension in two passes (mean first, then squared deviations), both in double. */
    private static float[][] stats(List<Features> features, int dim) {
        float[] mean = new float[dim], std = new float[dim];
        java.util.Arrays.fill(std, 1f);
        long frames = 0;
        double[] sum = new double[dim];
        for (Features f : features) {
            float[] v = f.values();
            for (int t = 0, i = 0; t < f.frames(); t++) {
                for (int d = 0; d < dim; d++, i++) sum[d] += v[i];
            }
            frames += f.frames();
        }
        if (frames == 0) return new float[][] {mean, std};
        double[] mu = new double[dim];
        for (int d = 0; d < dim; d++) mu[d] = sum[d] / frames;
        double[] sq = new double[dim];
        for (Features f : features) {
            float[] v = f.values();
            for (int t = 0, i = 0; t < f.frames(); t++) {
                for (int d = 0; d < dim; d++, i++) {
                    double dev = v[i] - mu[d];
                    sq[d] += dev * dev;
                }
            }
        }
        for (int d = 0; d < dim; d++) {
            double s = Math.sqrt(sq[d] / frames);
            mean[d] = (float) mu[d];
            std[d] = s < MIN_STD ? 1f : (float) s;
        }
        return new float[][] {mean, std};
    }
}
