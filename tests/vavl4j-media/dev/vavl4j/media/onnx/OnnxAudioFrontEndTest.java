package dev.vavl4j.media.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.data.Features;
import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.PcmAudio;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiny exported audio model (tests/tools/export_tiny_onnx.py) through ONNX Runtime Java, against PyTorch's outputs. */
class OnnxAudioFrontEndTest {
    static final Path DIR = Path.of("tests/vavl4j-media/resources/onnx");
    static final Path MODEL = DIR.resolve("audio_tiny.onnx");
    static final double TOL = 1e-5;

    static OnnxAudioFrontEnd fe;

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        fe = OnnxAudioFrontEnd.open(MODEL);
    }

    @AfterAll
    static void close() {
        fe.close();
    }

    @Test
    void infoRecordsTheModelAndItsShapes() throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(MODEL)));
        assertEquals("onnx", fe.info().name());
        assertEquals(Map.of("contract", "audio-v1", "model_sha256", sha, "input_name", "wav", "input_shape", "[1, samples]",
                "output_name", "out", "output_shape", "[1, frames, 16]", "sample_rate", "16000", "frame_rate", "50", "dim", "16"),
                fe.info().settings());
        assertEquals(50.0, fe.frameRate());
        assertEquals(16, fe.dim());
    }

    @Test
    void seededWaveformMatchesPyTorch() throws IOException {
        TestNpy in = TestNpy.read(DIR.resolve("audio_seeded_in.npy")), out = TestNpy.read(DIR.resolve("audio_seeded_out.npy"));
        Features f = fe.extract(new PcmAudio(in.floats(), 16000));
        assertArrayEquals(new long[] {1, f.frames(), f.dim()}, out.shape());
        assertEquals(12, f.frames()); // (4000 - 400) / 320 + 1
        assertClose(out.floats(), f.values());
    }

    @Test
    void cremaDWavMatchesPyTorch() throws IOException {
        float[] pcm = readS16(Path.of("tests/vavl4j-media/resources/crema-d/resampled/1002_DFA_ANG_XX.wav"));
        TestNpy out = TestNpy.read(DIR.resolve("audio_crema_out.npy"));
        Features f = fe.extract(new PcmAudio(pcm, 16000));
        assertEquals((pcm.length - 400) / 320 + 1, f.frames());
        assertArrayEquals(new long[] {1, f.frames(), 16}, out.shape());
        assertClose(out.floats(), f.values());
    }

    @Test
    void otherRatesAreResampledTo16kHz() {
        float[] x = new float[44100 * 2];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / 44100.0));
        Features f = fe.extract(new PcmAudio(x, 44100));
        assertEquals((32000 - 400) / 320 + 1, f.frames(), 1); // 2 s at 50 Hz
        assertEquals(16, f.dim());
    }

    @Test
    void audioShorterThanTheReceptiveFieldGivesNoFrames() {
        Features f = fe.extract(new PcmAudio(new float[200], 16000));
        assertEquals(0, f.frames());
        assertEquals(16, f.dim());
    }

    @Test
    void fourThreadsAtOnceAgree() throws Exception {
        TestNpy in = TestNpy.read(DIR.resolve("audio_seeded_in.npy"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> runs = new ArrayList<>();
            for (int i = 0; i < 16; i++) runs.add(pool.submit(() -> fe.extract(new PcmAudio(in.floats(), 16000)).values()));
            float[] first = runs.get(0).get();
            for (Future<float[]> r : runs) assertArrayEquals(first, r.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void modelsThatBreakTheContractAreRefusedInOneLine() throws IOException {
        assertRefused("bad_two_inputs.onnx", "bad_two_inputs.onnx: the model has 2 inputs ('a', 'b') — the audio contract needs"
                + " float32[1, samples] as its only input");
        assertRefused("bad_rank.onnx", "bad_rank.onnx: input 'x' has shape [1, 3, 224] — the audio contract needs float32[1, samples]"
                + " with a dynamic samples axis");
        assertRefused("bad_int_input.onnx", "bad_int_input.onnx: input 'ids' is int64[1, samples] — the audio contract needs"
                + " float32[1, samples]");
        assertRefused("bad_output_rank.onnx", "bad_output_rank.onnx: output 'out' has rank 4 [1, samples, 2, 2] — the audio contract"
                + " needs float32[1, frames, dim] or float32[frames, dim]");
        assertRefused("visual_tiny.onnx", "visual_tiny.onnx: input 'crops' has shape [n, 3, 64, 64] — the audio contract needs"
                + " float32[1, samples] with a dynamic samples axis");

        Path junk = tmp.resolve("junk.onnx");
        Files.write(junk, "not a model".getBytes());
        MediaFormatException e = assertThrows(MediaFormatException.class, () -> OnnxAudioFrontEnd.open(junk));
        assertTrue(e.getMessage().startsWith(junk + ": ONNX Runtime cannot load the model ("), e.getMessage());
        Path missing = tmp.resolve("missing.onnx");
        assertEquals(missing + ": no such model file", assertThrows(MediaFormatException.class, () -> OnnxAudioFrontEnd.open(missing)).getMessage());
    }

    static void assertRefused(String model, String message) {
        Path p = DIR.resolve(model);
        MediaFormatException e = assertThrows(MediaFormatException.class, () -> OnnxAudioFrontEnd.open(p));
        assertEquals(DIR + "/" + message, e.getMessage());
    }

    static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        assertTrue(worst <= TOL, "max |ONNX Runtime - PyTorch| = " + worst);
    }

    /** 16-bit PCM mono WAV as s16 / 32768, as the export script reads it. */
    static float[] readS16(Path wav) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
        for (int pos = 12; pos + 8 <= b.limit(); ) {
            int id = b.getInt(pos), size = b.getInt(pos + 4);
            if (id == 0x61746164) { // "data"
                float[] x = new float[size / 2];
                for (int i = 0; i < x.length; i++) x[i] = b.getShort(pos + 8 + 2 * i) / 32768f;
                return x;
            }
            pos += 8 + size + (size & 1);
        }
        throw new IOException(wav + ": no data chunk");
    }
}
