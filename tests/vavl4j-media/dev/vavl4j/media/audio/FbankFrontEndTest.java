package dev.vavl4j.media.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.data.Features;
import dev.vavl4j.data.Npy;
import dev.vavl4j.media.PcmAudio;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FbankFrontEndTest {
    @Test
    void infoNamesEveryOption() {
        var info = new FbankFrontEnd().info();
        assertEquals("fbank", info.name());
        assertEquals(Map.ofEntries(Map.entry("num_mel_bins", "80"), Map.entry("frame_length_ms", "25"), Map.entry("frame_shift_ms", "10"),
                Map.entry("preemphasis", "0.97"), Map.entry("window", "povey"), Map.entry("dither", "0"), Map.entry("sample_rate", "16000"),
                Map.entry("low_freq", "20"), Map.entry("high_freq", "0"), Map.entry("snip_edges", "true"), Map.entry("scale", "32768"),
                Map.entry("remove_dc", "true")), info.settings());
        var other = new FbankFrontEnd(new FbankOptions(40, 25, 10, 0.97, "povey", 0, 16000, 20, 0, true, 32768, true)).info();
        assertTrue(!other.equals(info) && other.settings().get("num_mel_bins").equals("40"));
    }

    @Test
    void shortClipGivesZeroFrames() {
        Features f = new FbankFrontEnd().extract(new PcmAudio(new float[399], 16000));
        assertEquals(0, f.frames());
        assertEquals(80, f.dim());
        // 399 samples at 44.1 kHz are 145 at 16 kHz: still no frame
        assertEquals(0, new FbankFrontEnd().extract(new PcmAudio(new float[399], 44100)).frames());
    }

    /**
     * The 44.1 kHz path (our resampler, then fbank) against torchaudio's (functional.resample, then fbank).
     * The resamplers differ above ~6 kHz (see ResamplerTest), so only the filters below that are compared:
     * 0–69 (upper edge 5.7 kHz) agree to 0.1 in log (measured: max 0.085, in filter 0 of a quiet frame; the
     * worst filter's mean 0.013); filters 72–79 differ by up to 7 in quiet frames, where torchaudio's gentler
     * filter lets the MP3's content above 8 kHz alias in.
     */
    @Test
    void fortyFourKilohertzPathAgreesWithTorchaudioBelowSixKilohertz() {
        Path dir = Path.of("tests/vavl4j-media/resources/audio/resample-44k");
        PcmAudio in = WavReader.read(dir.resolve("1002_DFA_ANG_XX.wav"));
        Features ours = new FbankFrontEnd().extract(in), ref = Npy.read(dir.resolve("1002_DFA_ANG_XX.fbank.npy"));
        assertEquals(ref.frames(), ours.frames());
        double worst = 0, worstMean = 0;
        for (int b = 0; b < 70; b++) {
            double mean = 0;
            for (int t = 0; t < ref.frames(); t++) {
                double d = Math.abs(ours.values()[t * 80 + b] - ref.values()[t * 80 + b]);
                worst = Math.max(worst, d);
                mean += d / ref.frames();
            }
            worstMean = Math.max(worstMean, mean);
        }
        System.out.printf("fbank after 44.1→16 kHz vs torchaudio, mel bins 0-69: max |diff| %.3f, worst bin mean %.4f%n", worst, worstMean);
        assertTrue(worst <= 0.1, "max " + worst);
        assertTrue(worstMean <= 0.02, "mean " + worstMean);
    }

    @Test
    void threadsShareOneFrontEnd() throws Exception {
        FbankFrontEnd fe = new FbankFrontEnd();
        List<PcmAudio> clips = new ArrayList<>();
        for (String s : new String[] {"1001_DFA_ANG_XX", "1001_DFA_SAD_XX", "1002_DFA_HAP_XX", "1002_DFA_NEU_XX"}) {
            clips.add(WavReader.read(Path.of("tests/vavl4j-media/resources/crema-d/resampled/" + s + ".wav")));
        }
        List<Features> alone = clips.stream().map(fe::extract).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Features>> futures = new ArrayList<>();
            for (int round = 0; round < 8; round++) for (PcmAudio c : clips) futures.add(pool.submit(() -> fe.extract(c)));
            for (int i = 0; i < futures.size(); i++) assertArrayEquals(alone.get(i % clips.size()).values(), futures.get(i).get().values());
        } finally {
            pool.shutdownNow();
        }
    }
}
