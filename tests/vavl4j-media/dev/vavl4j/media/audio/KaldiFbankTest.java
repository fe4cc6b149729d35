package dev.vavl4j.media.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.data.Features;
import dev.vavl4j.data.Npy;
import dev.vavl4j.media.PcmAudio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** KaldiFbank against torchaudio.compliance.kaldi.fbank (references: tests/tools/fbank_reference.py). */
class KaldiFbankTest {
    static final Path CLIPS = Path.of("tests/vavl4j-media/resources/crema-d/resampled");
    static final Path REFS = Path.of("tests/vavl4j-media/resources/audio/fbank-reference");
    static final float LOG_EPS = -15.942385f;   // what torchaudio gives for silence: log(max(0, 2^-23)) in float32

    static double maxDiff(Features a, Features b) {
        double m = 0;
        for (int i = 0; i < a.values().length; i++) m = Math.max(m, Math.abs(a.values()[i] - b.values()[i]));
        return m;
    }

    @Test
    void matchesTorchaudioOnAllTwelveCremaDClips() throws IOException {
        List<Path> clips;
        try (Stream<Path> s = Files.list(CLIPS)) {
            clips = s.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
        }
        assertEquals(12, clips.size());
        KaldiFbank fbank = new KaldiFbank(FbankOptions.DEFAULTS);
        double worst = 0;
        for (Path clip : clips) {
            String stem = clip.getFileName().toString().replace(".wav", "");
            Features ours = fbank.compute(WavReader.read(clip)), ref = Npy.read(REFS.resolve(stem + ".npy"));
            assertEquals(ref.frames(), ours.frames(), stem);
            assertEquals(80, ours.dim());
            double d = maxDiff(ours, ref);
            worst = Math.max(worst, d);
            assertTrue(d <= 1e-3, stem + ": max |diff| " + d);
        }
        System.out.printf("KaldiFbank vs torchaudio, 12 CREMA-D clips: max |diff| %.3g%n", worst);
    }

    @Test
    void otherOptionsMatchTorchaudioToo() {
        PcmAudio clip = WavReader.read(CLIPS.resolve("1001_DFA_ANG_XX.wav"));
        FbankOptions d = FbankOptions.DEFAULTS;
        var mirrored = new FbankOptions(80, 25, 10, 0.97, "povey", 0, 16000, 20, 0, false, 32768, true);
        var narrow = new FbankOptions(40, 25, 10, 0.97, "povey", 0, 16000, 64, -400, true, 32768, true);
        for (var c : List.of(new Object[] {"snip-edges-false", mirrored}, new Object[] {"mel40-low64-high-400", narrow})) {
            Features ours = new KaldiFbank((FbankOptions) c[1]).compute(clip);
            Features ref = Npy.read(REFS.resolve("variants/1001_DFA_ANG_XX." + c[0] + ".npy"));
            assertEquals(ref.frames(), ours.frames(), (String) c[0]);
            assertEquals(ref.dim(), ours.dim(), (String) c[0]);
            assertTrue(maxDiff(ours, ref) <= 1e-3, c[0] + ": " + maxDiff(ours, ref));
        }
        assertEquals(d.frameLength(), 400);
        assertEquals(d.fftSize(), 512);
    }

    @Test
    void frameCounts() {
        KaldiFbank f = new KaldiFbank(FbankOptions.DEFAULTS);
        for (int n : new int[] {0, 1, 399}) assertEquals(0, f.compute(new float[n]).frames(), "n " + n);
        assertEquals(1, f.compute(new float[400]).frames());
        assertEquals(1, f.compute(new float[559]).frames());
        assertEquals(2, f.compute(new float[560]).frames());
        assertEquals(1 + (16000 - 400) / 160, f.frames(16000));
        KaldiFbank mirrored = new KaldiFbank(new FbankOptions(80, 25, 10, 0.97, "povey", 0, 16000, 20, 0, false, 32768, true));
        assertEquals(0, mirrored.frames(399));
        assertEquals((400 + 80) / 160, mirrored.compute(new float[400]).frames());
        assertEquals((16000 + 80) / 160, mirrored.frames(16000));
        Features empty = f.compute(new float[10]);
        assertEquals(0, empty.values().length);
        assertEquals(80, empty.dim());
    }

    @Test
    void silenceIsLogEpsilonEverywhereAsInTorchaudio() {
        assertEquals(LOG_EPS, (float) Math.log(KaldiFbank.EPSILON));
        Features f = new KaldiFbank(FbankOptions.DEFAULTS).compute(new float[1000]);
        assertEquals(4, f.frames());
        for (float v : f.values()) assertEquals(LOG_EPS, v);
        // a constant is silence too once the frame mean is removed
        float[] dc = new float[800];
        java.util.Arrays.fill(dc, 0.25f);
        for (float v : new KaldiFbank(FbankOptions.DEFAULTS).compute(dc).values()) assertEquals(LOG_EPS, v);
    }

    @Test
    void aToneLandsInItsMelBin() {
        float[] x = ResamplerTest.tone(16000, 1000, 16000);
        Features f = new KaldiFbank(FbankOptions.DEFAULTS).compute(x);
        // mel(1000 Hz) = 1000.0; edges from mel(20) in steps of (mel(8000) - mel(20)) / 81: the centre
        // nearest 1000 is filter 27 (centre index b + 1)
        double lo = MelBanks.mel(20), step = (MelBanks.mel(8000) - lo) / 81;
        int expected = (int) Math.round((MelBanks.mel(1000) - lo) / step) - 1;
        int best = 0;
        for (int b = 1; b < 80; b++) if (f.values()[50 * 80 + b] > f.values()[50 * 80 + best]) best = b;
        assertEquals(expected, best);
    }

    @Test
    void resamplesInputAtOtherRates() {
        // 8 kHz in: the fbank runs on the 16 kHz resampled signal, so the frame count follows 16 kHz
        float[] x = ResamplerTest.tone(8000, 440, 8000);
        Features f = new KaldiFbank(FbankOptions.DEFAULTS).compute(new PcmAudio(x, 8000));
        assertEquals(1 + (16000 - 400) / 160, f.frames());
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new FbankOptions(80, 25, 10, 0.97, "povey", 1.0, 16000, 20, 0, true, 32768, true));
        assertThrows(IllegalArgumentException.class, () -> new FbankOptions(80, 25, 10, 0.97, "hann", 0, 16000, 20, 0, true, 32768, true));
        assertThrows(IllegalArgumentException.class, () -> new FbankOptions(3, 25, 10, 0.97, "povey", 0, 16000, 20, 0, true, 32768, true));
        assertThrows(IllegalArgumentException.class, () -> new FbankOptions(80, 25, 10, 1.5, "povey", 0, 16000, 20, 0, true, 32768, true));
        assertThrows(IllegalArgumentException.class, () -> new FbankOptions(80, 25, 10, 0.97, "povey", 0, 16000, 8000, 0, true, 32768, true));
        assertThrows(IllegalArgumentException.class, () -> new FbankOptions(80, 0.05, 10, 0.97, "povey", 0, 16000, 20, 0, true, 32768, true));
    }
}
