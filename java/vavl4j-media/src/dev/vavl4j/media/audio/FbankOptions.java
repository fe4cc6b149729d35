package dev.vavl4j.media.audio;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Options of {@link KaldiFbank}, named after {@code torchaudio.compliance.kaldi.fbank}'s arguments. The
 * defaults ({@link #DEFAULTS}) are that function's defaults with {@code num_mel_bins=80} and
 * {@code dither=0}, on {@code wave * 32768} at 16 kHz. Options torchaudio has but that are fixed here:
 * {@code round_to_power_of_two=true}, {@code use_energy=false}, {@code use_log_fbank=true},
 * {@code use_power=true}, {@code subtract_mean=false}, {@code vtln_warp=1}, {@code min_duration=0}
 * ({@code raw_energy} only matters with {@code use_energy}).
 *
 * @param numMelBins    triangular mel filters (≥ 4, torchaudio's minimum)
 * @param frameLengthMs frame length; samples per frame = (int) (sampleRate · ms · 0.001), as torchaudio
 * @param frameShiftMs  frame shift, rounded the same way
 * @param preemphasis   0 ≤ coefficient ≤ 1; x[i] -= c·x[i-1] within each frame, x[0] -= c·x[0]
 * @param window        {@code povey} (hann^0.85), {@code hanning}, {@code hamming}, {@code rectangular}, {@code blackman}
 * @param dither        must be 0: dither makes features random, which the features job must not be
 * @param sampleRate    rate the fbank runs at; other input is resampled to it first
 * @param lowFreq       lowest mel filter edge (Hz), ≥ 0
 * @param highFreq      highest edge (Hz); ≤ 0 means Nyquist + highFreq
 * @param snipEdges     true: only frames that fit; false: Kaldi's reflected edges, frames = (n + shift/2) / shift
 * @param scale         the [-1, 1] samples are multiplied by this first (32768: 16-bit integer range, as Kaldi)
 * @param removeDc      subtract each frame's mean before pre-emphasis
 */
public record FbankOptions(int numMelBins, double frameLengthMs, double frameShiftMs, double preemphasis, String window,
                           double dither, int sampleRate, double lowFreq, double highFreq, boolean snipEdges, double scale,
                           boolean removeDc) {

    /** Declared before DEFAULTS: the constructor that builds DEFAULTS reads it. */
    static final Set<String> WINDOWS = Set.of("povey", "hanning", "hamming", "rectangular", "blackman");

    public static final FbankOptions DEFAULTS = new FbankOptions(80, 25, 10, 0.97, "povey", 0, 16000, 20, 0, true, 32768, true);

    public FbankOptions {
        if (numMelBins < 4) throw new IllegalArgumentException("numMelBins must be ≥ 4, got " + numMelBins);
        if (sampleRate <= 0) throw new IllegalArgumentException("sampleRate must be > 0, got " + sampleRate);
        if (!WINDOWS.contains(window)) throw new IllegalArgumentException("window must be one of " + WINDOWS + ", got " + window);
        if (dither != 0) throw new IllegalArgumentException("dither must be 0 (features must be deterministic), got " + dither);
        if (!(preemphasis >= 0 && preemphasis <= 1)) throw new IllegalArgumentException("preemphasis must be in [0, 1], got " + preemphasis);
        if (!(scale > 0) || Double.isInfinite(scale)) throw new IllegalArgumentException("scale must be > 0, got " + scale);
        // (the accessors would read fields the compact constructor has not assigned yet)
        int size = samples(sampleRate, frameLengthMs), shift = samples(sampleRate, frameShiftMs);
        if (size < 2) throw new IllegalArgumentException("frame length " + frameLengthMs + " ms is " + size + " samples at " + sampleRate + " Hz (need ≥ 2)");
        if (shift < 1) throw new IllegalArgumentException("frame shift " + frameShiftMs + " ms is " + shift + " samples at " + sampleRate + " Hz (need ≥ 1)");
        double nyquist = 0.5 * sampleRate, high = highFreq <= 0 ? highFreq + nyquist : highFreq;
        if (!(lowFreq >= 0 && lowFreq < nyquist && high > 0 && high <= nyquist && lowFreq < high)) {
            throw new IllegalArgumentException("bad mel range: lowFreq " + lowFreq + ", highFreq " + highFreq + " vs Nyquist " + nyquist);
        }
    }

    /** Samples per frame, rounded down exactly as torchaudio's {@code int(sample_frequency * frame_length * 0.001)}. */
    public int frameLength() {
        return samples(sampleRate, frameLengthMs);
    }

    public int frameShift() {
        return samples(sampleRate, frameShiftMs);
    }

    /** Python's int(rate * ms * 0.001): the same double operations in the same order, then truncation. */
    private static int samples(int rate, double ms) {
        return (int) (rate * ms * 0.001);
    }

    /** FFT size: the frame length rounded up to a power of two. */
    public int fftSize() {
        return Integer.highestOneBit(frameLength() - 1) << 1;
    }

    /** Every option as text (the {@link dev.vavl4j.media.FrontEndInfo} settings), with torchaudio's names. */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("num_mel_bins", Integer.toString(numMelBins));
        m.put("frame_length_ms", num(frameLengthMs));
        m.put("frame_shift_ms", num(frameShiftMs));
        m.put("preemphasis", num(preemphasis));
        m.put("window", window);
        m.put("dither", num(dither));
        m.put("sample_rate", Integer.toString(sampleRate));
        m.put("low_freq", num(lowFreq));
        m.put("high_freq", num(highFreq));
        m.put("snip_edges", Boolean.toString(snipEdges));
        m.put("scale", num(scale));
        m.put("remove_dc", Boolean.toString(removeDc));
        return m;
    }

    /** 25 → "25", 0.97 → "0.97": integral values without ".0" so the settings read like the options. */
    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
