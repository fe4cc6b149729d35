package dev.vavl4j.media.onnx;

import dev.vavl4j.data.Features;
import dev.vavl4j.media.AudioFrontEnd;
import dev.vavl4j.media.FrontEndInfo;
import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.PcmAudio;
import dev.vavl4j.media.audio.Resampler;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --audio onnx:FILE}: a user's ONNX model as the audio front end, run by ONNX Runtime on the CPU.
 *
 * <p>The contract ({@code audio-v1}) a model must meet:
 * <ul>
 * <li>exactly one input, {@code float32[1, samples]} (any name; the samples axis dynamic, the first 1 or
 *     dynamic): the mono waveform at 16 kHz in [-1, 1], unnormalised — a model that wants zero-mean,
 *     unit-variance input (wav2vec2-large-lv60) does that inside its graph;</li>
 * <li>its first output {@code float32[1, frames, dim]} or {@code float32[frames, dim]}, {@code dim} fixed,
 *     {@code frames} growing with the input; one feature row per frame.</li>
 * </ul>
 * The front end resamples the audio to 16 kHz itself ({@link Resampler}). At open it runs the model on 1 s
 * and 2 s of silence to learn its frame rate (wav2vec2: 50 Hz) and dimension. {@link #info()} holds the
 * model's SHA-256, its input and output names and shapes, the frame rate and dimension, so features made by
 * another model are refused later. Audio too short for the model (it fails below its receptive field) gives
 * zero frames. Safe to use from several threads at once.
 */
public final class OnnxAudioFrontEnd implements AudioFrontEnd {
    public static final String CONTRACT = "audio-v1";
    public static final int SAMPLE_RATE = 16_000;

    private final String file;
    private final OrtModel model;
    private final boolean rank3;
    private final int dim;
    private final double frameRate;
    private final FrontEndInfo info;

    private OnnxAudioFrontEnd(String file, OrtModel model, boolean rank3, int dim, double frameRate, FrontEndInfo info) {
        this.file = file;
        this.model = model;
        this.rank3 = rank3;
        this.dim = dim;
        this.frameRate = frameRate;
        this.info = info;
    }

    /**
     * Loads and checks a model.
     *
     * @throws dev.vavl4j.media.MediaUnavailableException ONNX Runtime is not on the class path
     * @throws MediaFormatException                       the file is missing, not ONNX, or breaks the contract (one line naming it)
     */
    public static OnnxAudioFrontEnd open(Path modelFile) {
        OnnxRuntimeCheck.require(modelFile);
        String sha = OnnxRuntimeCheck.sha256(modelFile);
        String file = modelFile.toString();
        OrtModel m = OrtModel.open(modelFile);
        try {
            OrtModel.Port in = Contracts.singleFloatInput(file, m, "the audio contract needs float32[1, samples]");
            if (in.shape().length != 2 || in.shape()[0] > 1 || in.shape()[0] == 0 || in.shape()[1] >= 0) {
                throw new MediaFormatException(file + ": input '" + in.name() + "' has shape " + in.shapeText()
                        + " — the audio contract needs float32[1, samples] with a dynamic samples axis");
            }
            OrtModel.Port out = Contracts.firstFloatOutput(file, m, "float32[1, frames, dim] or float32[frames, dim]");
            int rank = out.shape().length;
            if (rank != 2 && rank != 3) {
                throw new MediaFormatException(file + ": output '" + out.name() + "' has rank " + rank + " " + out.shapeText()
                        + " — the audio contract needs float32[1, frames, dim] or float32[frames, dim]");
            }
            int[] oneSecond = probe(file, m, rank == 3, SAMPLE_RATE);
            int[] twoSeconds = probe(file, m, rank == 3, 2 * SAMPLE_RATE);
            if (oneSecond[1] != twoSeconds[1] || oneSecond[1] <= 0) {
                throw new MediaFormatException(file + ": output '" + out.name() + "' has dim " + oneSecond[1] + " on 1 s and "
                        + twoSeconds[1] + " on 2 s of audio — the audio contract needs a fixed dim");
            }
            double frameRate = twoSeconds[0] - oneSecond[0]; // frames per second of input, from 1 s more audio
            if (frameRate <= 0) {
                throw new MediaFormatException(file + ": output '" + out.name() + "' has " + oneSecond[0] + " frames on 1 s and "
                        + twoSeconds[0] + " on 2 s of audio — the audio contract needs frame-level features");
            }
            Map<String, String> s = new LinkedHashMap<>();
            s.put("contract", CONTRACT);
            s.put("model_sha256", sha);
            s.put("input_name", in.name());
            s.put("input_shape", in.shapeText());
            s.put("output_name", out.name());
            s.put("output_shape", out.shapeText());
            s.put("sample_rate", Integer.toString(SAMPLE_RATE));
            s.put("frame_rate", Contracts.num(frameRate));
            s.put("dim", Integer.toString(oneSecond[1]));
            OnnxAudioFrontEnd fe = new OnnxAudioFrontEnd(file, m, rank == 3, oneSecond[1], frameRate, new FrontEndInfo("onnx", s));
            m = null;
            return fe;
        } finally {
            if (m != null) m.close();
        }
    }

    /** {frames, dim} of the model's output on {@code n} samples of silence. */
    private static int[] probe(String file, OrtModel m, boolean rank3, int n) {
        OrtModel.Output o = m.run(new float[n], new long[] {1, n});
        return frames(file, o, rank3);
    }

    private static int[] frames(String file, OrtModel.Output o, boolean rank3) {
        long[] sh = o.shape();
        if (sh.length != (rank3 ? 3 : 2) || (rank3 && sh[0] != 1)) {
            throw new MediaFormatException(file + ": the model returned shape " + java.util.Arrays.toString(sh)
                    + " — the audio contract needs [1, frames, dim] or [frames, dim]");
        }
        return new int[] {Math.toIntExact(sh[sh.length - 2]), Math.toIntExact(sh[sh.length - 1])};
    }

    @Override
    public FrontEndInfo info() {
        return info;
    }

    /** Output frames per second of input audio, as measured at open. */
    public double frameRate() {
        return frameRate;
    }

    public int dim() {
        return dim;
    }

    @Override
    public Features extract(PcmAudio audio) {
        float[] x = audio.sampleRate() == SAMPLE_RATE ? audio.samples() : Resampler.resample(audio.samples(), audio.sampleRate(), SAMPLE_RATE);
        if (x.length < SAMPLE_RATE) {
            // below the probed length the model may fail (shorter than its receptive field): that is no frames, not an error
            try {
                return features(model.run(x, new long[] {1, x.length}));
            } catch (Contracts.RunFailure e) {
                return new Features(new float[0], 0, dim);
            }
        }
        return features(model.run(x, new long[] {1, x.length}));
    }

    private Features features(OrtModel.Output o) {
        int[] fd = frames(file, o, rank3);
        if (fd[1] != dim) throw new MediaFormatException(file + ": the model returned dim " + fd[1] + ", " + dim + " at open");
        return new Features(o.values(), fd[0], fd[1]);
    }

    @Override
    public void close() {
        model.close();
    }
}
