package dev.vavl4j.media.visual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.io.FormatException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TfjsWeightsTest {
    private static final String DIR = "visual/weights/";

    @Test
    void decodesEveryStoredTypeAcrossShards() {
        TfjsWeights w = TfjsWeights.fromClassPath(DIR + "ok-weights_manifest.json");
        assertEquals(List.of("a/f32", "b/u8", "c/u16", "d/f16"), List.copyOf(w.names()));
        assertArrayEquals(new float[] {1.5f, -2.25f, 3.0f}, w.tensor("a/f32", 3).values());
        // min + scale·q in double, then float, as tfjs
        assertArrayEquals(new float[] {(float) -1.0, (float) (10 * 0.01 - 1.0), (float) (255 * 0.01 - 1.0), (float) (128 * 0.01 - 1.0)},
                w.tensor("b/u8", 2, 2).values());
        assertArrayEquals(new float[] {2.0f, (float) (65535 * 0.5 + 2.0)}, w.tensor("c/u16", 2).values());
        assertArrayEquals(new float[] {0.5f, -1.0f}, w.tensor("d/f16", 1, 2).values());
        assertEquals(List.of("ok-weights_manifest.json", "ok.bin", "ok-2.bin"), List.copyOf(w.sha256().keySet()));
    }

    @Test
    void wrongShapeOrNameNamesTheManifest() {
        TfjsWeights w = TfjsWeights.fromClassPath(DIR + "ok-weights_manifest.json");
        FormatException e = assertThrows(FormatException.class, () -> w.tensor("a/f32", 4));
        assertTrue(e.getMessage().contains("ok-weights_manifest.json") && e.getMessage().contains("[3]"), e.getMessage());
        assertThrows(FormatException.class, () -> w.tensor("nope", 3));
    }

    @Test
    void shortShardIsAnErrorNamingTheManifest() {
        FormatException e = assertThrows(FormatException.class, () -> TfjsWeights.fromClassPath(DIR + "short-weights_manifest.json"));
        assertTrue(e.getMessage().contains("short-weights_manifest.json") && e.getMessage().contains("a/f32"), e.getMessage());
    }

    @Test
    void missingResourcesAreNamed() {
        FormatException bin = assertThrows(FormatException.class, () -> TfjsWeights.fromClassPath(DIR + "nobin-weights_manifest.json"));
        assertTrue(bin.getMessage().contains(DIR + "absent.bin"), bin.getMessage());
        FormatException manifest = assertThrows(FormatException.class, () -> TfjsWeights.fromClassPath(DIR + "none-weights_manifest.json"));
        assertTrue(manifest.getMessage().contains(DIR + "none-weights_manifest.json"), manifest.getMessage());
    }

    /** The shipped files are the ones LICENSE-face-api.txt lists, and decode as the manifest says. */
    @Test
    void shippedWeightsAreTheListedFiles() {
        TfjsWeights d = TfjsWeights.fromClassPath(TinyFaceDetector.MANIFEST);
        assertEquals("b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871", d.sha256().get("tiny_face_detector_model.bin"));
        assertEquals("5d1af4849ac48d5b985f4a9b16010c512353ddd6fcc63d50fd0bc9e9e64296e5", d.sha256().get("tiny_face_detector_model-weights_manifest.json"));
        TfjsWeights e = TfjsWeights.fromClassPath(FaceExpressionNet.MANIFEST);
        assertEquals("9a9840f2cf1f4c7eab95f197512569345c00d2426754d4608b92af30e0300f3d", e.sha256().get("face_expression_model.bin"));
        assertEquals("5b349c17c7836da506e03422cd6461c74085d8bb2713ad4114647dc5d28174c8", e.sha256().get("face_expression_model-weights_manifest.json"));
        String license = new String(FaceApiFixtures.resource("dev/vavl4j/media/visual/LICENSE-face-api.txt"), java.nio.charset.StandardCharsets.UTF_8);
        for (var sha : List.of(d.sha256(), e.sha256())) {
            sha.forEach((file, hex) -> assertTrue(license.contains(hex + "  " + file), file + " listed in LICENSE-face-api.txt"));
        }
        assertTrue(license.contains("Permission is hereby granted, free of charge"), "the MIT text");
        // conv0/filters is the first weight: its first byte q decodes to min + scale·q
        byte[] bin = FaceApiFixtures.resource("dev/vavl4j/media/visual/tiny_face_detector_model.bin");
        float first = (float) ((bin[0] & 0xff) * 0.009007044399485869 + -1.2069439495311063);
        assertEquals(first, d.tensor("conv0/filters", 3, 3, 3, 16).values()[0]);
    }
}
