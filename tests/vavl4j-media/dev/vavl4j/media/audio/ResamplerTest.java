package dev.vavl4j.media.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.data.Npy;
import dev.vavl4j.media.PcmAudio;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResamplerTest {
    static float[] tone(int n, double hz, int rate) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) Math.sin(2 * Math.PI * hz * i / rate);
        return x;
    }

    /** Least-squares amplitude of a sinusoid at {@code hz} in y[from, to), and the rms of what is left (as an amplitude). */
    static double[] fit(float[] y, double hz, int rate, int from, int to) {
        double ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
        for (int i = from; i < to; i++) {
            double s = Math.sin(2 * Math.PI * hz * i / rate), c = Math.cos(2 * Math.PI * hz * i / rate);
            ss += s * s; sc += s * c; cc += c * c; ys += y[i] * s; yc += y[i] * c;
        }
        double det = ss * cc - sc * sc, a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
        double r = 0;
        for (int i = from; i < to; i++) {
            double e = y[i] - a * Math.sin(2 * Math.PI * hz * i / rate) - b * Math.cos(2 * Math.PI * hz * i / rate);
            r += e * e;
        }
        return new double[] {Math.hypot(a, b), Math.sqrt(2 * r / (to - from))};
    }

    static double db(double amplitude) {
        return 20 * Math.log10(amplitude);
    }

    /** Interior of the output: away from the zero-padded edges by more than the filter's half-length. */
    static int lo(float[] y) { return y.length / 5; }
    static int hi(float[] y) { return y.length * 4 / 5; }

    @ParameterizedTest
    @CsvSource({"44100,16000", "48000,16000", "8000,16000", "16000,8000", "22050,16000"})
    void passbandTonesKeepTheirAmplitudeAndPhase(int from, int to) {
        int min = Math.min(from, to);
        double worst = 0;
        for (double frac = 0.01; frac <= Resampler.PASSBAND_EDGE + 1e-9; frac += 0.01) {
            double hz = frac * min;
            float[] y = Resampler.resample(tone(from, hz, from), from, to);
            double[] f = fit(y, hz, to, lo(y), hi(y));
            worst = Math.max(worst, Math.abs(db(f[0])));
            assertTrue(Math.abs(db(f[0])) <= Resampler.PASSBAND_RIPPLE_DB, from + "→" + to + " at " + hz + " Hz: " + db(f[0]) + " dB");
            // no delay: y[j] is the tone at time j/to
            for (int j = lo(y); j < hi(y); j += 97) {
                assertEquals(Math.sin(2 * Math.PI * hz * j / to), y[j], 2e-3, from + "→" + to + " " + hz + " Hz, sample " + j);
            }
        }
        System.out.printf("Resampler %d→%d: passband worst |gain| %.5f dB (stated ±%.2f)%n", from, to, worst, Resampler.PASSBAND_RIPPLE_DB);
    }

    @ParameterizedTest
    @CsvSource({"44100,16000", "48000,16000", "16000,8000", "22050,16000"})
    void downsamplingAttenuatesEverythingAboveTheNewNyquist(int from, int to) {
        double worst = -1e9;
        double[] fracs = {0.5, 0.501, 0.505, 0.51, 0.52, 0.55, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.37};
        for (double frac : fracs) {
            double hz = frac * to;
            if (hz >= 0.5 * from) continue;
            float[] y = Resampler.resample(tone(from, hz, from), from, to);
            double s = 0;
            for (int i = lo(y); i < hi(y); i++) s += y[i] * y[i];
            double level = db(Math.sqrt(2 * s / (hi(y) - lo(y))));   // whatever frequency it aliased to
            worst = Math.max(worst, level);
            assertTrue(level <= -Resampler.STOPBAND_ATTENUATION_DB, from + "→" + to + " tone at " + hz + " Hz leaks at " + level + " dB");
        }
        System.out.printf("Resampler %d→%d: stopband worst %.1f dB (stated ≤ -%.0f)%n", from, to, worst, Resampler.STOPBAND_ATTENUATION_DB);
    }

    @ParameterizedTest
    @CsvSource({"8000,16000", "16000,44100", "16000,48000"})
    void upsamplingSuppressesTheImages(int from, int to) {
        double worst = -1e9;
        // a tone at f leaves an image at from - f, which lies at ≥ 0.5·from for every f < 0.5·from
        for (double frac : new double[] {0.05, 0.2, 0.4, 0.45, 0.47, 0.49}) {
            double hz = frac * from;
            float[] y = Resampler.resample(tone(from, hz, from), from, to);
            double[] f = fit(y, hz, to, lo(y), hi(y));
            worst = Math.max(worst, db(f[1]));
            assertTrue(db(f[1]) <= -Resampler.STOPBAND_ATTENUATION_DB, from + "→" + to + " image of " + hz + " Hz at " + db(f[1]) + " dB");
        }
        System.out.printf("Resampler %d→%d: image worst %.1f dB%n", from, to, worst);
    }

    @ParameterizedTest
    @CsvSource({"44100,16000", "48000,16000", "8000,16000", "16000,44100"})
    void dcGainIsOne(int from, int to) {
        float[] x = new float[from];
        java.util.Arrays.fill(x, 0.5f);
        float[] y = Resampler.resample(x, from, to);
        for (int j = 400; j < y.length - 400; j++) assertEquals(0.5f, y[j], 1e-6f, "sample " + j);
    }

    @Test
    void lengthIsCeilOfNTimesToOverFrom() {
        assertEquals(0, Resampler.outputLength(0, 44100, 16000));
        assertEquals(1, Resampler.outputLength(1, 44100, 16000));
        assertEquals(16000, Resampler.outputLength(44100, 44100, 16000));
        assertEquals(16001, Resampler.outputLength(44101, 44100, 16000));
        assertEquals(5, Resampler.outputLength(14, 48000, 16000));   // 14/3 = 4.67
        assertEquals(20, Resampler.outputLength(10, 8000, 16000));
        assertEquals(7, Resampler.outputLength(7, 16000, 16000));
        for (int n : new int[] {0, 1, 2, 440, 441, 442, 12345}) {
            assertEquals((int) Math.ceil(n * 16000.0 / 44100), Resampler.resample(new float[n], 44100, 16000).length, "n " + n);
        }
    }

    @Test
    void equalRatesReturnACopy() {
        float[] x = {1, 2, 3};
        float[] y = Resampler.resample(x, 16000, 16000);
        assertArrayEquals(x, y);
        assertNotSame(x, y);
    }

    @Test
    void coprimeRatesWithoutATableStillWork() {
        // 44101 → 16000: 16000 phases × 279 taps exceed the table limit, so branches are computed per output
        int from = 44101, to = 16000;
        float[] y = Resampler.resample(tone(from / 4, 1000, from), from, to);
        double gain = db(fit(y, 1000, to, lo(y), hi(y))[0]);
        assertTrue(Math.abs(gain) <= Resampler.PASSBAND_RIPPLE_DB, gain + " dB");
    }

    @Test
    void badRates() {
        assertThrows(IllegalArgumentException.class, () -> Resampler.resample(new float[4], 0, 16000));
        assertThrows(IllegalArgumentException.class, () -> Resampler.resample(new float[4], 16000, -1));
    }

    /**
     * A real 44.1 kHz clip against torchaudio.functional.resample (defaults: Hann-windowed sinc, 6 zero
     * crossings, rolloff 0.99). The two filters differ above ~6 kHz (torchaudio passes up to 7.9 kHz and lets
     * 8–9 kHz alias in), so the waveforms differ at -33.6 dB; a one-sample misalignment would give -1.8 dB
     * and a gain error of 3 % alone -30 dB, so the bound of -30 dB checks length, timing and gain.
     */
    @Test
    void agreesWithTorchaudioOnARealClip() {
        Path dir = Path.of("tests/vavl4j-media/resources/audio/resample-44k");
        PcmAudio in = WavReader.read(dir.resolve("1002_DFA_ANG_XX.wav"));
        assertEquals(44100, in.sampleRate());
        float[] ours = Resampler.resample(in.samples(), 44100, 16000);
        float[] ref = Npy.read(dir.resolve("1002_DFA_ANG_XX.torchaudio-resample.npy")).values();
        assertEquals(ref.length, ours.length);
        double s = 0, e = 0;
        for (int i = 200; i < ref.length - 200; i++) {
            s += ref[i] * ref[i];
            e += (ours[i] - ref[i]) * (ours[i] - ref[i]);
        }
        double rel = 10 * Math.log10(e / s);
        System.out.printf("Resampler vs torchaudio.functional.resample, 44.1→16 kHz: difference %.1f dB of the signal%n", rel);
        assertTrue(rel < -30, rel + " dB");
    }
}
