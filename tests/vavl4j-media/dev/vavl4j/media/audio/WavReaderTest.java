package dev.vavl4j.media.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.PcmAudio;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavReaderTest {
    @TempDir
    Path dir;

    private PcmAudio read(byte[] wav) throws IOException {
        Path f = dir.resolve("x.wav");
        Files.write(f, wav);
        return WavReader.read(f);
    }

    private MediaFormatException bad(byte[] wav) throws IOException {
        Path f = dir.resolve("x.wav");
        Files.write(f, wav);
        MediaFormatException e = assertThrows(MediaFormatException.class, () -> WavReader.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    private static void assertMessage(MediaFormatException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
    }

    // ---- round trips: every width, exact scale ----

    @Test
    void pcm8IsUnsignedAroundOneTwentyEight() throws IOException {
        byte[] data = {0, (byte) 128, (byte) 255, 64};
        PcmAudio a = read(new WavBuilder().fmt(1, 1, 8000, 8, 0).chunk("data", data).bytes());
        assertEquals(8000, a.sampleRate());
        assertArrayEquals(new float[] {-1f, 0f, 127 / 128f, -0.5f}, a.samples());
    }

    @Test
    void pcm16ScalesBy32768() throws IOException {
        PcmAudio a = read(new WavBuilder().fmt(1, 1, 16000, 16, 0).chunk("data", WavBuilder.int16(-32768, 32767, 0, 1, -1)).bytes());
        assertArrayEquals(new float[] {-1f, 32767 / 32768f, 0f, 1 / 32768f, -1 / 32768f}, a.samples());
    }

    @Test
    void pcm24IsSignedLittleEndianScaledBy2To23() throws IOException {
        int[] v = {-8388608, 8388607, 0, 1, -1, 0x123456, -0x123456};
        ByteBuffer b = WavBuilder.le(3 * v.length);
        for (int x : v) b.put((byte) x).put((byte) (x >> 8)).put((byte) (x >> 16));
        PcmAudio a = read(new WavBuilder().fmt(1, 1, 22050, 24, 0).chunk("data", b.array()).bytes());
        for (int i = 0; i < v.length; i++) assertEquals((float) (v[i] / 8388608.0), a.samples()[i], "sample " + i);
        assertEquals(22050, a.sampleRate());
    }

    @Test
    void pcm32ScalesBy2To31() throws IOException {
        int[] v = {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 1 << 16, -(1 << 30)};
        ByteBuffer b = WavBuilder.le(4 * v.length);
        for (int x : v) b.putInt(x);
        PcmAudio a = read(new WavBuilder().fmt(1, 1, 48000, 32, 0).chunk("data", b.array()).bytes());
        for (int i = 0; i < v.length; i++) assertEquals((float) (v[i] / 2147483648.0), a.samples()[i], "sample " + i);
    }

    @Test
    void floatsAreTakenAsTheyAreNotClipped() throws IOException {
        float[] f32 = {0.25f, -1f, 1.5f, -3.75f, 1e-30f};
        ByteBuffer b = WavBuilder.le(4 * f32.length);
        for (float x : f32) b.putFloat(x);
        assertArrayEquals(f32, read(new WavBuilder().fmt(3, 1, 16000, 32, 0).chunk("data", b.array()).bytes()).samples());

        double[] f64 = {0.1, -0.75, 2.0, 1.0 / 3};
        ByteBuffer d = WavBuilder.le(8 * f64.length);
        for (double x : f64) d.putDouble(x);
        float[] got = read(new WavBuilder().fmt(3, 1, 16000, 64, 0).chunk("data", d.array()).bytes()).samples();
        for (int i = 0; i < f64.length; i++) assertEquals((float) f64[i], got[i]);
    }

    @Test
    void write16ThenReadIsExact() throws IOException {
        float[] x = {0f, 0.5f, -0.5f, -1f, 32767 / 32768f, 3 / 32768f};
        Path f = dir.resolve("w.wav");
        WavReader.write16(f, new PcmAudio(x, 11025));
        PcmAudio a = WavReader.read(f);
        assertEquals(11025, a.sampleRate());
        assertArrayEquals(x, a.samples());
    }

    // ---- channels, headers, chunks ----

    @Test
    void stereoIsMixedToMonoByTheMean() throws IOException {
        PcmAudio a = read(new WavBuilder().fmt(1, 2, 16000, 16, 0).chunk("data", WavBuilder.int16(1000, -3000, 32767, 32767, -32768, 0)).bytes());
        assertArrayEquals(new float[] {-1000 / 32768f, 32767 / 32768f, -0.5f}, a.samples());
    }

    @Test
    void fivePointOneIsMixedByTheMeanOfSixChannels() throws IOException {
        int[] frame0 = {600, 1200, -1800, 0, 6000, 0}, frame1 = {-6, -6, -6, -6, -6, -6};
        ByteBuffer b = WavBuilder.le(24);
        for (int v : frame0) b.putShort((short) v);
        for (int v : frame1) b.putShort((short) v);
        PcmAudio a = read(new WavBuilder().fmt(1, 6, 48000, 16, 0).chunk("data", b.array()).bytes());
        assertArrayEquals(new float[] {1000 / 32768f, -6 / 32768f}, a.samples());
    }

    @Test
    void extensiblePcmAndFloatAreRead() throws IOException {
        ByteBuffer b = WavBuilder.le(6);
        for (int x : new int[] {0x400000, -0x400000}) b.put((byte) x).put((byte) (x >> 8)).put((byte) (x >> 16));
        PcmAudio a = read(new WavBuilder().fmtExtensible(1, 1, 96000, 24, 20, true).chunk("data", b.array()).bytes());
        assertArrayEquals(new float[] {0.5f, -0.5f}, a.samples());
        assertEquals(96000, a.sampleRate());

        ByteBuffer f = WavBuilder.le(16).putFloat(0.5f).putFloat(-0.25f).putFloat(0.125f).putFloat(0.375f);
        PcmAudio s = read(new WavBuilder().fmtExtensible(3, 2, 44100, 32, 32, true).chunk("data", f.array()).bytes());
        assertArrayEquals(new float[] {0.125f, 0.25f}, s.samples());
    }

    @Test
    void unknownChunksAreSkippedOddSizesPadded() throws IOException {
        PcmAudio a = read(new WavBuilder().chunk("junk", new byte[] {9, 9, 9}).fmt(1, 1, 16000, 16, 0)
                .chunk("LIST", new byte[] {1, 2, 3, 4, 5}).chunk("data", WavBuilder.int16(16384, -16384)).chunk("id3 ", new byte[7]).bytes());
        assertArrayEquals(new float[] {0.5f, -0.5f}, a.samples());
    }

    @Test
    void truncatedDataChunkGivesTheWholeFramesThatArePresent() throws IOException {
        // stereo 16-bit (4-byte frames): 1000 bytes announced, 10 present = 2 whole frames + half a frame
        byte[] wav = new WavBuilder().fmt(1, 2, 8000, 16, 0).chunk("data", 1000, WavBuilder.int16(100, 300, -100, -300, 7)).bytes();
        assertArrayEquals(new float[] {200 / 32768f, -200 / 32768f}, read(wav).samples());
    }

    @Test
    void streamedDataSizeReadsToTheEndOfTheFile() throws IOException {
        byte[] samples = WavBuilder.int16(1, 2, 3, 4, 5);
        for (long size : new long[] {0xFFFFFFFFL, 0}) {
            PcmAudio a = read(new WavBuilder().fmt(1, 1, 16000, 16, 0).chunk("data", size, samples).bytes());
            assertArrayEquals(new float[] {1 / 32768f, 2 / 32768f, 3 / 32768f, 4 / 32768f, 5 / 32768f}, a.samples(), "size " + size);
        }
    }

    @Test
    void realCremaDClipWithListChunk() throws IOException {
        Path clip = Path.of("tests/vavl4j-media/resources/crema-d/resampled/1001_DFA_ANG_XX.wav");
        PcmAudio a = WavReader.read(clip);
        assertEquals(16000, a.sampleRate());
        assertEquals(72726 / 2, a.samples().length);   // the data chunk's size in the file
        try (var in = Files.newInputStream(clip)) {
            assertArrayEquals(a.samples(), WavReader.read(in, "clip").samples());
        }
    }

    @Test
    void inputStreamErrorsUseTheGivenName() {
        MediaFormatException e = assertThrows(MediaFormatException.class,
                () -> WavReader.read(new ByteArrayInputStream("hello world, not a wav".getBytes()), "upload #3"));
        assertMessage(e, "upload #3: not a WAV file", "\"hell\"");
    }

    // ---- bad input: each names the file, the field and the value ----

    @Test
    void notRiff() throws IOException {
        byte[] ogg = new WavBuilder().header("OggS", "WAVE").fmt(1, 1, 16000, 16, 0).bytes();
        assertMessage(bad(ogg), "not a WAV file", "\"OggS\"", "expected \"RIFF\"");
        assertMessage(bad(new byte[] {'R', 'I', 'F', 'F', 0}), "not a WAV file (5 bytes");
        assertMessage(bad(new WavBuilder().header("RF64", "WAVE").bytes()), "RF64");
    }

    @Test
    void notWave() throws IOException {
        assertMessage(bad(new WavBuilder().header("RIFF", "AVI ").bytes()), "RIFF form type \"AVI \" is not \"WAVE\"");
    }

    @Test
    void noFmtOrNoData() throws IOException {
        assertMessage(bad(new WavBuilder().chunk("data", WavBuilder.int16(1, 2)).bytes()), "no fmt chunk");
        assertMessage(bad(new WavBuilder().fmt(1, 1, 16000, 16, 0).chunk("LIST", new byte[4]).bytes()), "no data chunk");
        assertMessage(bad(new WavBuilder().chunk("fmt ", new byte[12]).bytes()), "fmt chunk is 12 bytes");
    }

    @Test
    void badFieldValues() throws IOException {
        assertMessage(bad(new WavBuilder().fmt(1, 1, 16000, 16, 3).chunk("data", new byte[4]).bytes()),
                "block align 3", "1 channel(s) × 16 bits (expected 2)");
        assertMessage(bad(new WavBuilder().fmt(1, 0, 16000, 16, 2).chunk("data", new byte[4]).bytes()), "channel count 0");
        assertMessage(bad(new WavBuilder().fmt(1, 1, 0, 16, 0).chunk("data", new byte[4]).bytes()), "sample rate 0");
        assertMessage(bad(new WavBuilder().fmt(1, 1, 16000, 12, 2).chunk("data", new byte[4]).bytes()), "bits per sample 12", "PCM (8, 16, 24 or 32 are)");
        assertMessage(bad(new WavBuilder().fmt(3, 1, 16000, 16, 0).chunk("data", new byte[4]).bytes()), "bits per sample 16", "IEEE float (32 or 64 are)");
    }

    @Test
    void compressedEncodingsAreNamed() throws IOException {
        assertMessage(bad(new WavBuilder().fmt(2, 1, 8000, 4, 256).chunk("data", new byte[4]).bytes()),
                "WAV format tag 0x0002 (ADPCM) is not supported (PCM and IEEE float are)");
        assertMessage(bad(new WavBuilder().fmt(6, 1, 8000, 8, 0).chunk("data", new byte[4]).bytes()), "0x0006 (A-law)");
        assertMessage(bad(new WavBuilder().fmt(7, 1, 8000, 8, 0).chunk("data", new byte[4]).bytes()), "0x0007 (mu-law)");
        assertMessage(bad(new WavBuilder().fmtExtensible(7, 1, 8000, 8, 8, true).chunk("data", new byte[4]).bytes()), "0x0007 (mu-law)");
        assertMessage(bad(new WavBuilder().fmtExtensible(1, 1, 8000, 16, 16, false).chunk("data", new byte[4]).bytes()),
                "WAVE_FORMAT_EXTENSIBLE sub-format {34120001-0000-0010-8000-00AA00389B71}",
                "is not supported");
    }

    @Test
    void nonFiniteFloatSamples() throws IOException {
        ByteBuffer b = WavBuilder.le(12).putFloat(0.5f).putFloat(Float.NaN).putFloat(0f);
        assertMessage(bad(new WavBuilder().fmt(3, 1, 16000, 32, 0).chunk("data", b.array()).bytes()), "float sample 1 (channel 0) is NaN");
        ByteBuffer d = WavBuilder.le(32).putDouble(0).putDouble(0).putDouble(0).putDouble(Double.NEGATIVE_INFINITY);
        assertMessage(bad(new WavBuilder().fmt(3, 2, 16000, 64, 0).chunk("data", d.array()).bytes()), "float sample 1 (channel 1) is infinite");
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("nope.wav");
        MediaFormatException e = assertThrows(MediaFormatException.class, () -> WavReader.read(f));
        assertEquals(f + ": file not found", e.getMessage());
    }
}
