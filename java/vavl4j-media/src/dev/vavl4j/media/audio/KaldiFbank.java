package dev.vavl4j.media.audio;

import dev.vavl4j.data.Features;
import dev.vavl4j.media.PcmAudio;

/**
 * Kaldi log-mel filterbank, numerically the same as
 * {@code torchaudio.compliance.kaldi.fbank(wave * 32768, num_mel_bins=80, sample_frequency=16000, dither=0)}
 * with the {@link FbankOptions#DEFAULTS}. Per frame of {@code frameLength} samples every {@code frameShift}:
 * scale, subtract the frame mean, pre-emphasise, window, zero-pad to the FFT size, power spectrum
 * |X(k)|², mel filter sums, {@code ln(max(e, 2^-23))}.
 *
 * <p>Why float32 throughout: torchaudio computes in float32, and some outputs are ill-conditioned (a low
 * mel bin after pre-emphasis, where the FFT sum cancels to 1e-6 of the frame energy), so an exact
 * (double) fbank differs from torchaudio by up to 1.8e-3 there. This class repeats torch's float32 steps in
 * torch's order, with pocketfft's FFT ({@link RealFft}) and torch's own window ({@link Windows}); only the
 * mel sums (double here, float BLAS there) and the log differ by rounding.
 *
 * <p>Frames: snipEdges → {@code 1 + (n - frameLength) / frameShift}, 0 when {@code n < frameLength}; otherwise
 * {@code (n + frameShift/2) / frameShift} with Kaldi's mirrored edges, also 0 when {@code n < frameLength} (where
 * torchaudio refuses the input). A clip shorter than one frame is not an error here: the result has 0
 * frames and the caller decides.
 *
 * <p>Immutable and thread-safe: the tables are built once, each call allocates its own buffers.
 */
public final class KaldiFbank {
    /** torch.finfo(torch.float).eps, the floor torchaudio puts under the mel energies before the log. */
    static final float EPSILON = 1.1920929e-07f;

    private final FbankOptions options;
    private final int size, shift, fftSize;
    private final float[] window;
    private final MelBanks mel;
    private final RealFft fft;

    public KaldiFbank(FbankOptions options) {
        this.options = options;
        size = options.frameLength();
        shift = options.frameShift();
        fftSize = options.fftSize();
        window = Windows.window(options.window(), size);
        mel = new MelBanks(options.numMelBins(), fftSize, options.sampleRate(), options.lowFreq(), options.highFreq());
        fft = new RealFft(fftSize);
    }

    public FbankOptions options() {
        return options;
    }

    /** Frames for {@code samples} samples at the options' rate (see the class comment). */
    public int frames(int samples) {
        if (samples < size) return 0;
        return options.snipEdges() ? 1 + (samples - size) / shift : (samples + shift / 2) / shift;
    }

    /** Fbank of {@code audio}, resampled first ({@link Resampler}) when its rate is not the options'. */
    public Features compute(PcmAudio audio) {
        float[] x = audio.samples();
        if (audio.sampleRate() != options.sampleRate()) x = Resampler.resample(x, audio.sampleRate(), options.sampleRate());
        return compute(x);
    }

    /** Fbank of mono samples in [-1, 1] already at {@link FbankOptions#sampleRate()}: [frames, numMelBins]. */
    public Features compute(float[] samples) {
        int n = samples.length, frames = frames(n), bins = options.numMelBins();
        float[] out = new float[frames * bins];
        float scale = (float) options.scale(), pre = (float) options.preemphasis();
        // torch rounds the padding of a mirrored frame start like this (see _get_strided)
        int pad = size / 2 - shift / 2;
        float[] frame = new float[fftSize], work = new float[fftSize], power = new float[fftSize / 2];
        for (int t = 0; t < frames; t++) {
            int start = t * shift;
            if (options.snipEdges()) {
                for (int j = 0; j < size; j++) frame[j] = samples[start + j] * scale;
            } else {
                for (int j = 0; j < size; j++) frame[j] = samples[mirror(start + j - pad, n)] * scale;
            }
            if (options.removeDc()) {
                // torch sums in float32 then divides; for integer-valued samples (16-bit audio × 32768) the
                // double sum rounded to float is that same exact sum
                double sum = 0;
                for (int j = 0; j < size; j++) sum += frame[j];
                float mean = (float) sum / size;
                for (int j = 0; j < size; j++) frame[j] -= mean;
            }
            if (pre != 0f) {
                // x[j] -= c·x[j-1] uses the previous *original* value: go backwards
                for (int j = size - 1; j > 0; j--) frame[j] = frame[j] - pre * frame[j - 1];
                frame[0] = frame[0] - pre * frame[0];
            }
            for (int j = 0; j < size; j++) frame[j] *= window[j];
            java.util.Arrays.fill(frame, size, fftSize, 0f);

            fft.forward(frame, work);
            powerSpectrum(frame, power);
            melLog(power, out, t * bins);
        }
        return new Features(out, frames, bins);
    }

    /** |X(k)|² for k < fft/2 from half-complex order, as torch: a = sqrt(re² + im²) in float, then a·a. */
    private void powerSpectrum(float[] hc, float[] power) {
        power[0] = hc[0] * hc[0];   // im = 0, and IEEE sqrt(fl(x²)) = |x|, so torch's a·a is fl(x²) too
        for (int k = 1; k < power.length; k++) {
            float re = hc[2 * k - 1], im = hc[2 * k];
            float a = (float) Math.sqrt(re * re + im * im);
            power[k] = a * a;
        }
    }

    private void melLog(float[] power, float[] out, int offset) {
        for (int b = 0; b < mel.weights.length; b++) {
            float[] w = mel.weights[b];
            int k0 = mel.first[b];
            double e = 0;
            for (int i = 0; i < w.length; i++) e += (double) w[i] * power[k0 + i];
            out[offset + b] = (float) Math.log(Math.max((float) e, EPSILON));
        }
    }

    /** Kaldi's mirrored edges: index -1 → 0, -2 → 1, ...; n → n-1, n+1 → n-2, ... */
    private static int mirror(int q, int n) {
        if (q < 0) return -q - 1;
        if (q >= n) return 2 * n - 1 - q;
        return q;
    }
}
