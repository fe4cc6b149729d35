package dev.vavl4j.media.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vavl4j.media.MediaFormatException;
import dev.vavl4j.media.RgbFrame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tiny exported visual model against PyTorch on seeded crops, normalised by the contract's ImageNet rule. */
class OnnxVisualModelTest {
    static final Path DIR = OnnxAudioFrontEndTest.DIR;
    static OnnxVisualModel model;

    @BeforeAll
    static void open() {
        model = OnnxVisualModel.open(DIR.resolve("visual_tiny.onnx"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static List<RgbFrame> seededCrops() throws IOException {
        TestNpy in = TestNpy.read(DIR.resolve("visual_seeded_in.npy")); // uint8 [N, 64, 64, 3]
        int n = (int) in.shape()[0], size = 64 * 64 * 3;
        List<RgbFrame> crops = new ArrayList<>();
        for (int i = 0; i < n; i++) crops.add(new RgbFrame(64, 64, Arrays.copyOfRange(in.bytes(), i * size, (i + 1) * size), i));
        return crops;
    }

    @Test
    void shapesAndInfo() {
        assertEquals(64, model.inputWidth());
        assertEquals(64, model.inputHeight());
        assertEquals(8, model.outputDim());
        assertEquals("onnx", model.info().name());
        assertEquals("visual-v1", model.info().settings().get("contract"));
        assertEquals("[n, 3, 64, 64]", model.info().settings().get("input_shape"));
        assertEquals("[n, 8]", model.info().settings().get("output_shape"));
        assertEquals(64, model.info().settings().get("model_sha256").length());
    }

    @Test
    void seededCropsMatchPyTorch() throws IOException {
        TestNpy out = TestNpy.read(DIR.resolve("visual_seeded_out.npy"));
        List<RgbFrame> crops = seededCrops();
        float[][] e = model.embed(crops);
        assertEquals(crops.size(), e.length);
        float[] flat = new float[e.length * 8];
        for (int i = 0; i < e.length; i++) System.arraycopy(e[i], 0, flat, i * 8, 8);
        OnnxAudioFrontEndTest.assertClose(out.floats(), flat);
        // one at a time gives the same rows (batching does not change the numbers beyond float noise)
        float[][] single = model.embed(List.of(crops.get(1)));
        for (int j = 0; j < 8; j++) assertEquals(e[1][j], single[0][j], 1e-6);
        assertEquals(0, model.embed(List.of()).length);
    }

    @Test
    void wrongCropSizeIsTheCallersBug() {
        assertThrows(IllegalArgumentException.class, () -> model.embed(List.of(new RgbFrame(32, 64, new byte[32 * 64 * 3], 0))));
    }

    @Test
    void modelsThatBreakTheContractAreRefused() {
        assertRefused("audio_tiny.onnx", "audio_tiny.onnx: input 'wav' has shape [1, samples] — the visual contract needs"
                + " float32[N, 3, H, W] with H and W fixed");
        assertRefused("bad_two_inputs.onnx", "bad_two_inputs.onnx: the model has 2 inputs ('a', 'b') — the visual contract needs"
                + " float32[N, 3, H, W] as its only input");
        assertRefused("bad_int_input.onnx", "bad_int_input.onnx: input 'ids' is int64[1, samples] — the visual contract needs"
                + " float32[N, 3, H, W]");
    }

    static void assertRefused(String file, String message) {
        MediaFormatException e = assertThrows(MediaFormatException.class, () -> OnnxVisualModel.open(DIR.resolve(file)));
        assertEquals(DIR + "/" + message, e.getMessage());
    }
}
