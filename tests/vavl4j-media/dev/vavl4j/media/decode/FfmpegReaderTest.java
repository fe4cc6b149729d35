package dev.vavl4j.media.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.PcmAudio;
import dev.vavl4j.media.RgbFrame;
import dev.vavl4j.media.audio.WavReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The FFmpeg reader on the real CREMA-D clips. The expected counts are ffprobe's
 * ({@code ffprobe -count_frames}: nb_read_frames of each stream; MP3 frames hold 1152 samples each).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FfmpegReaderTest {
    static final Path DATA = Path.of("tests/vavl4j-media/resources/crema-d/data");
    static final Path WAV16K = Path.of("tests/vavl4j-media/resources/crema-d/resampled");

    @TempDir
    Path tmp;

    record Decoded(DecodedMedia media, List<RgbFrame> frames) {}

    static Decoded decode(Path file, double fps) {
        List<RgbFrame> frames = new ArrayList<>();
        DecodedMedia m = new FfmpegReader().read(file, true, frames::add, fps);
        return new Decoded(m, frames);
    }

    /** name, video frames, audio MP3 frames (ffprobe), container duration (s). */
    @ParameterizedTest
    @CsvSource({"ANG,67,87,2.235", "DIS,70,91,2.335", "FEA,65,85,2.168", "HAP,56,73,1.868", "NEU,61,79,2.035", "SAD,60,78,2.002"})
    void everyFlvDecodesAudioAndEveryVideoFrame(String emotion, int videoFrames, int mp3Frames, double duration) {
        Decoded d = decode(DATA.resolve("1001_DFA_" + emotion + "_XX.flv"), 0);
        PcmAudio a = d.media().audio();
        assertEquals(44100, a.sampleRate());
        assertEquals(mp3Frames * 1152, a.samples().length);
        assertTrue(a.seconds() > 1.9 && a.seconds() < 2.5, a.seconds() + " s");
        assertTrue(peak(a.samples()) > 0.1, "silent: peak " + peak(a.samples()));

        assertTrue(d.media().hasVideo());
        assertEquals(videoFrames, d.media().videoFrames());
        assertEquals(videoFrames, d.frames().size());
        assertEquals(30000 / 1001.0, d.media().videoFps(), 0.01);
        assertEquals(duration * 29.97, videoFrames, 2.0); // ≈ duration · fps
        assertEquals(0.027, d.frames().get(0).timeSeconds(), 1e-9); // the FLV's first video timestamp
        double prev = -1;
        for (RgbFrame f : d.frames()) {
            assertEquals(480, f.width());
            assertEquals(360, f.height());
            assertTrue(f.timeSeconds() > prev, "times must increase: " + prev + " then " + f.timeSeconds());
            prev = f.timeSeconds();
        }
        assertTrue(meanLuma(d.frames().get(videoFrames / 2)) > 20, "a face clip is not black");
    }

    @ParameterizedTest
    @CsvSource({"ANG,2.235", "DIS,2.335", "FEA,2.168", "HAP,1.868", "NEU,2.035", "SAD,2.002"})
    void tenFpsGivesTheNearestFrameAtEachTick(String emotion, double duration) {
        Path file = DATA.resolve("1001_DFA_" + emotion + "_XX.flv");
        List<RgbFrame> all = decode(file, 0).frames();
        Decoded d = decode(file, 10);
        double first = all.get(0).timeSeconds(), last = all.get(all.size() - 1).timeSeconds();
        int expected = (int) Math.floor((last - first) * 10 + 1e-9) + 1;
        assertEquals(expected, d.frames().size());
        assertEquals(expected, d.media().videoFrames());
        assertEquals(10.0, d.media().videoFps());
        assertEquals(duration * 10, expected, 1.5);
        double prev = -1;
        for (int k = 0; k < d.frames().size(); k++) {
            RgbFrame f = d.frames().get(k);
            assertTrue(f.timeSeconds() > prev, "monotone times");
            prev = f.timeSeconds();
            double tick = first + k / 10.0;
            for (RgbFrame g : all) assertTrue(Math.abs(f.timeSeconds() - tick) <= Math.abs(g.timeSeconds() - tick) + 1e-9);
            RgbFrame same = all.stream().filter(g -> g.timeSeconds() == f.timeSeconds()).findFirst().orElseThrow();
            assertArrayEquals(same.rgb(), f.rgb(), "the picked frame is that decoded frame");
        }
    }

    /** name, ffprobe's MP3 frames. */
    @ParameterizedTest
    @CsvSource({"ANG,100", "DIS,99", "FEA,106", "HAP,86", "NEU,97", "SAD,92"})
    void mp3HasAudioOnly(String emotion, int mp3Frames) {
        Decoded d = decode(DATA.resolve("1002_DFA_" + emotion + "_XX.mp3"), 0);
        assertFalse(d.media().hasVideo());
        assertEquals(0, d.media().videoFrames());
        assertEquals(List.of(), d.frames());
        assertEquals(44100, d.media().audio().sampleRate());
        assertEquals(mp3Frames * 1152, d.media().audio().samples().length);
    }

    /** The decoded audio against the 16 kHz WAV made from the same source: same length, same energy envelope. */
    @ParameterizedTest
    @ValueSource(strings = {"1002_DFA_ANG_XX.mp3", "1002_DFA_DIS_XX.mp3", "1002_DFA_FEA_XX.mp3", "1002_DFA_HAP_XX.mp3",
            "1002_DFA_NEU_XX.mp3", "1002_DFA_SAD_XX.mp3", "1001_DFA_ANG_XX.flv", "1001_DFA_SAD_XX.flv"})
    void audioMatchesTheResampledWav(String name) {
        PcmAudio decoded = decode(DATA.resolve(name), 0).media().audio();
        PcmAudio wav = WavReader.read(WAV16K.resolve(name.substring(0, name.length() - 4) + ".wav"));
        assertEquals(16000, wav.sampleRate());
        assertEquals(wav.seconds(), decoded.seconds(), 0.05);
        double[] e1 = envelope(decoded), e2 = envelope(wav);
        int n = Math.min(e1.length, e2.length);
        double r = correlation(Arrays.copyOf(e1, n), Arrays.copyOf(e2, n));
        assertTrue(r > 0.9, name + ": envelope correlation " + r);
    }

    @Test
    void skippingVideoOrAudio() {
        Path flv = DATA.resolve("1001_DFA_ANG_XX.flv");
        DecodedMedia audioOnly = new FfmpegReader().read(flv, true, null, 0);
        assertTrue(audioOnly.hasVideo());
        assertEquals(0, audioOnly.videoFrames());
        assertEquals(87 * 1152, audioOnly.audio().samples().length);
        List<RgbFrame> frames = new ArrayList<>();
        DecodedMedia videoOnly = new FfmpegReader().read(flv, false, frames::add, 0);
        assertNull(videoOnly.audio());
        assertEquals(67, videoOnly.videoFrames());
        assertEquals(67, frames.size());
    }

    @Test
    void truncatedFilesAreFormatErrors() throws Exception {
        byte[] flv = Files.readAllBytes(DATA.resolve("1001_DFA_ANG_XX.flv"));
        byte[] mp3 = Files.readAllBytes(DATA.resolve("1002_DFA_ANG_XX.mp3"));
        for (double cut : new double[] {0.02, 0.3, 0.38, 0.5, 0.75, 0.9}) {
            Path t = tmp.resolve("cut" + cut + ".flv");
            Files.write(t, Arrays.copyOf(flv, (int) (flv.length * cut)));
            assertFormatError(t);
        }
        Path half = tmp.resolve("half.mp3");
        Files.write(half, Arrays.copyOf(mp3, mp3.length / 2));
        String msg = assertFormatError(half);
        assertTrue(msg.contains("truncated"), msg);
    }

    @Test
    void randomBytesAndEmptyFilesAreFormatErrors() throws Exception {
        byte[] noise = new byte[50_000];
        new Random(42).nextBytes(noise);
        Path random = tmp.resolve("random.mp4");
        Files.write(random, noise);
        assertEquals(random + ": cannot open (Invalid data found when processing input)", assertFormatError(random));
        Path empty = tmp.resolve("empty.flv");
        Files.write(empty, new byte[0]);
        assertFormatError(empty);
        Path missing = tmp.resolve("missing.mp4");
        assertTrue(assertFormatError(missing).contains("No such file"));
    }

    private static String assertFormatError(Path file) {
        MediaFormatException e = assertThrows(MediaFormatException.class, () -> decode(file, 0), file.toString());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void fourThreadsDecodingOneFileAgree() throws Exception {
        Path flv = DATA.resolve("1001_DFA_FEA_XX.flv");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CyclicBarrier start = new CyclicBarrier(4); // all four inside FFmpeg at once
            List<Future<String>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> {
                    start.await();
                    return digest(decode(flv, 0));
                }));
            }
            String first = runs.get(0).get();
            for (Future<String> f : runs) assertEquals(first, f.get());
            assertEquals(first, digest(decode(flv, 0)));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void decodingSpeed() {
        // not a benchmark: a guard against a pathological slowdown (e.g. a per-frame context rebuild)
        decode(DATA.resolve("1001_DFA_ANG_XX.flv"), 0);
        long t0 = System.nanoTime();
        for (String e : List.of("ANG", "DIS", "FEA", "HAP", "NEU", "SAD")) decode(DATA.resolve("1001_DFA_" + e + "_XX.flv"), 0);
        double msPerFile = (System.nanoTime() - t0) / 6e6;
        assertTrue(msPerFile < 5000, msPerFile + " ms per FLV");
    }

    @Test
    void readerIsFfmpegForNonWav() {
        assertInstanceOf(FfmpegReader.class, MediaReaders.forFile(DATA.resolve("1002_DFA_ANG_XX.mp3")));
        assertTrue(MediaReaders.ffmpegAvailable());
    }

    static String digest(Decoded d) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (float x : d.media().audio().samples()) md.update(Integer.toString(Float.floatToIntBits(x)).getBytes());
        for (RgbFrame f : d.frames()) {
            md.update(f.rgb());
            md.update(Double.toString(f.timeSeconds()).getBytes());
        }
        return HexFormat.of().formatHex(md.digest()) + " " + d.frames().size();
    }

    static double peak(float[] x) {
        double p = 0;
        for (float v : x) p = Math.max(p, Math.abs(v));
        return p;
    }

    static double meanLuma(RgbFrame f) {
        long s = 0;
        for (byte b : f.rgb()) s += b & 0xff;
        return s / (double) f.rgb().length;
    }

    /** RMS in 20 ms windows. */
    static double[] envelope(PcmAudio a) {
        int w = a.sampleRate() / 50;
        double[] e = new double[a.samples().length / w];
        for (int i = 0; i < e.length; i++) {
            double s = 0;
            for (int j = i * w; j < (i + 1) * w; j++) s += a.samples()[j] * a.samples()[j];
            e[i] = Math.sqrt(s / w);
        }
        return e;
    }

    static double correlation(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0), my = Arrays.stream(y).average().orElse(0);
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
