package dev.vavl4j.media.visual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.media.RgbFrame;
import dev.vavl4j.media.VisualFrontEnd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The Java networks against face-api's own JavaScript (tfjs 4.22 CPU backend, {@code tests/tools/faceapi/reference.mjs})
 * on CREMA-D frames: detector boxes within 1 px and scores within 1e-3 on the same RGB frame; bottleneck
 * features and expression probabilities within 1e-3 on the same 112×112 crop (the one Java's front end cut).
 * Inputs and outputs are committed in {@code tests/vavl4j-media/resources/visual/}; its README says how
 * {@link #regenerate} and the node script remake them.
 */
class FaceApiReferenceTest {
    static final double BOX_PX = 1.0, SCORE = 1e-3, FEATURE = 1e-3, PROBABILITY = 1e-3;

    /** Read per test, so that {@link #regenerate} runs before the files exist. */
    private static JsonNode inputs() {
        return FaceApiFixtures.json(FaceApiFixtures.DIR + "inputs.json");
    }

    private static JsonNode reference() {
        return FaceApiFixtures.json(FaceApiFixtures.DIR + "reference.json");
    }

    @Test
    void detectorMatchesFaceApiOnTheCommittedFrames() {
        JsonNode inputs = inputs(), reference = reference();
        byte[] all = FaceApiFixtures.resource(FaceApiFixtures.DIR + "frames-2.rgb.gz");
        JsonNode committed = inputs.get("committedFrames");
        int w = inputs.get("width").asInt(), h = inputs.get("height").asInt(), size = w * h * 3;
        assertEquals(committed.size() * size, all.length, "frames-2.rgb.gz holds " + committed.size() + " frames");
        double[] worst = new double[2];
        for (int i = 0; i < committed.size(); i++) {
            RgbFrame frame = new RgbFrame(w, h, Arrays.copyOfRange(all, i * size, (i + 1) * size), 0);
            JsonNode ref = referenceFrame(reference, committed.get(i).get("clip").asText(), committed.get(i).get("index").asInt());
            assertEquals(ref.get("sha256").asText(), TfjsWeights.sha256(frame.rgb()), "committed frame " + i + " is the frame face-api saw");
            compareDetections(frame, ref, worst);
        }
        report("committed frames", "box px " + worst[0] + ", score " + worst[1]);
        assertTrue(worst[0] <= BOX_PX && worst[1] <= SCORE, "max box diff " + worst[0] + " px, score diff " + worst[1]);
    }

    @Test
    void detectorMatchesFaceApiOnEveryTenthFrameOfTheClips() {
        JsonNode inputs = inputs(), reference = reference();
        double[] worst = new double[2];
        int compared = 0;
        for (String clip : FaceApiFixtures.CLIP_NAMES) {
            List<RgbFrame> frames = FaceApiFixtures.decode(clip, inputs.get("width").asInt(), inputs.get("height").asInt());
            for (int i = 0; i < frames.size(); i += FaceApiFixtures.FRAME_STEP) {
                JsonNode ref = referenceFrame(reference, clip, i);
                assertEquals(ref.get("sha256").asText(), TfjsWeights.sha256(frames.get(i).rgb()),
                        clip + " frame " + i + ": ffmpeg decoded other pixels than those face-api saw");
                compareDetections(frames.get(i), ref, worst);
                compared++;
            }
        }
        assertEquals(reference.get("frames").size(), compared, "every frame in reference.json compared");
        report(compared + " decoded frames", "box px " + worst[0] + ", score " + worst[1]);
        assertTrue(worst[0] <= BOX_PX && worst[1] <= SCORE, "max box diff " + worst[0] + " px, score diff " + worst[1]);
    }

    @Test
    void expressionNetMatchesFaceApiOnTheCommittedCrops() {
        byte[] crops = FaceApiFixtures.resource(FaceApiFixtures.DIR + "crops-12.rgb.gz");
        int cropBytes = FaceExpressionNet.INPUT_SIZE * FaceExpressionNet.INPUT_SIZE * 3;
        JsonNode committed = inputs().get("committedCrops");
        assertEquals(committed.size() * cropBytes, crops.length, "crops-12.rgb.gz holds " + committed.size() + " crops");
        JsonNode reference = reference();
        double[] worst = new double[2];
        for (int i = 0; i < committed.size(); i++) {
            byte[] crop = Arrays.copyOfRange(crops, i * cropBytes, (i + 1) * cropBytes);
            compareExpression(crop, referenceCrop(reference, committed.get(i).get("clip").asText(), committed.get(i).get("index").asInt()), worst);
        }
        report(committed.size() + " committed crops", "feature " + worst[0] + ", probability " + worst[1]);
        assertTrue(worst[0] <= FEATURE && worst[1] <= PROBABILITY, "max feature diff " + worst[0] + ", probability diff " + worst[1]);
    }

    /**
     * The front end, run over each decoded clip, cuts the very crops face-api was given (same SHA-256), and
     * the Java network's outputs on them match face-api's.
     */
    @Test
    void frontEndCropsOfEveryTenthFrameMatchFaceApi() {
        JsonNode reference = reference();
        Map<String, byte[]> produced = cropsOfTheClips();
        double[] worst = new double[2];
        for (JsonNode ref : reference.get("crops")) {
            String key = ref.get("clip").asText() + "/" + ref.get("index").asInt();
            byte[] crop = produced.get(key);
            assertEquals(ref.get("sha256").asText(), crop == null ? null : TfjsWeights.sha256(crop), "crop of " + key);
            compareExpression(crop, ref, worst);
        }
        assertEquals(produced.size(), reference.get("crops").size(), "every sampled frame has a reference crop");
        report(produced.size() + " front-end crops", "feature " + worst[0] + ", probability " + worst[1]);
        assertTrue(worst[0] <= FEATURE && worst[1] <= PROBABILITY, "max feature diff " + worst[0] + ", probability diff " + worst[1]);
    }

    /**
     * Remakes the Java side's inputs in the directory named by {@code -Dvavl.visual.regen=DIR}: the sampled
     * frames (raw, for node), their crops, two frames gzip'd for the committed test, inputs.json. See the
     * README in tests/vavl4j-media/resources/visual/.
     */
    @Test
    @EnabledIfSystemProperty(named = "vavl.visual.regen", matches = ".+")
    void regenerate() throws IOException {
        Path dir = Path.of(System.getProperty("vavl.visual.regen"));
        Map<String, byte[]> crops = cropsOfTheClips();
        ObjectNode root = FaceApiFixtures.JSON.createObjectNode();
        root.put("source", "tests/vavl4j-media/resources/crema-d/data/<clip>.flv, decoded by the ffmpeg program of "
                + "org.bytedeco:ffmpeg 8.1.2-1.5.14: ffmpeg -i <clip>.flv -f rawvideo -pix_fmt rgb24 -");
        root.put("width", 480).put("height", 360);
        root.put("frameStep", FaceApiFixtures.FRAME_STEP);
        root.put("scoreThreshold", TinyFaceDetector.DEFAULT_SCORE_THRESHOLD);
        root.putArray("inputSizes").add(416).add(320).add(224);
        root.put("cropSize", FaceExpressionNet.INPUT_SIZE);
        ObjectNode fe = root.putObject("cropsFrom");
        new FaceExprFrontEnd().info().settings().forEach(fe::put);
        ArrayNode frames = root.putArray("frames");
        ArrayNode committedFrames = root.putArray("committedFrames"), committedCrops = root.putArray("committedCrops");
        ByteArrayOutputStream frames2 = new ByteArrayOutputStream(), crops12 = new ByteArrayOutputStream();
        for (String clip : FaceApiFixtures.CLIP_NAMES) {
            List<RgbFrame> decoded = FaceApiFixtures.decode(clip, 480, 360);
            for (int i = 0; i < decoded.size(); i += FaceApiFixtures.FRAME_STEP) {
                byte[] rgb = decoded.get(i).rgb(), crop = crops.get(clip + "/" + i);
                String file = "frames/" + clip + "_" + i + ".rgb", cropFile = "crops/" + clip + "_" + i + ".rgb";
                FaceApiFixtures.write(dir.resolve(file), rgb);
                FaceApiFixtures.write(dir.resolve(cropFile), crop);
                frames.addObject().put("clip", clip).put("index", i)
                        .put("file", file).put("sha256", TfjsWeights.sha256(rgb))
                        .put("crop", cropFile).put("cropSha256", TfjsWeights.sha256(crop));
                if ((clip.endsWith("ANG_XX") && i == 30) || (clip.endsWith("HAP_XX") && i == 0)) {
                    frames2.write(rgb);
                    committedFrames.addObject().put("clip", clip).put("index", i);
                }
                if (i == 0 || i == 30) {
                    crops12.write(crop);
                    committedCrops.addObject().put("clip", clip).put("index", i);
                }
            }
        }
        FaceApiFixtures.write(dir.resolve("frames-2.rgb.gz"), gzip(frames2.toByteArray()));
        FaceApiFixtures.write(dir.resolve("crops-12.rgb.gz"), gzip(crops12.toByteArray()));
        FaceApiFixtures.write(dir.resolve("inputs.json"), FaceApiFixtures.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    /** Crops of every 10th frame, by "clip/index", from the default front end run over each whole clip. */
    private static Map<String, byte[]> cropsOfTheClips() {
        FaceExprFrontEnd frontEnd = new FaceExprFrontEnd();
        Map<String, byte[]> out = new HashMap<>();
        for (String clip : FaceApiFixtures.CLIP_NAMES) {
            VisualFrontEnd.Clip c = frontEnd.startClip(clip, (index, crop) -> {
                if (index % FaceApiFixtures.FRAME_STEP == 0) out.put(clip + "/" + index, crop);
            });
            FaceApiFixtures.decode(clip, 480, 360).forEach(c::accept);
            c.finish();
        }
        return out;
    }

    private static JsonNode referenceFrame(JsonNode reference, String clip, int index) {
        for (JsonNode f : reference.get("frames")) {
            if (f.get("clip").asText().equals(clip) && f.get("index").asInt() == index) return f;
        }
        throw new AssertionError("reference.json has no frame " + clip + "/" + index);
    }

    /** Every input size: same number of faces in the same order, boxes and scores close; worst[0] px, worst[1] score. */
    private static void compareDetections(RgbFrame frame, JsonNode ref, double[] worst) {
        TinyFaceDetector detector = TinyFaceDetector.builtIn();
        double threshold = ref.path("scoreThreshold").asDouble(TinyFaceDetector.DEFAULT_SCORE_THRESHOLD);
        for (var e : ref.get("detections").properties()) {
            int inputSize = Integer.parseInt(e.getKey());
            List<FaceBox> java = detector.detect(frame, inputSize, threshold);
            JsonNode js = e.getValue();
            String where = ref.get("clip").asText() + "/" + ref.get("index").asInt() + " at " + inputSize;
            assertEquals(js.size(), java.size(), where + ": number of faces");
            for (int i = 0; i < js.size(); i++) {
                FaceBox b = java.get(i);
                JsonNode r = js.get(i);
                double[] mine = {b.x(), b.y(), b.width(), b.height()};
                for (int k = 0; k < 4; k++) worst[0] = Math.max(worst[0], Math.abs(mine[k] - r.get(k).asDouble()));
                worst[1] = Math.max(worst[1], Math.abs(b.score() - r.get(4).asDouble()));
            }
        }
    }

    private static JsonNode referenceCrop(JsonNode reference, String clip, int index) {
        for (JsonNode c : reference.get("crops")) {
            if (c.get("clip").asText().equals(clip) && c.get("index").asInt() == index) return c;
        }
        throw new AssertionError("reference.json has no crop " + clip + "/" + index);
    }

    /** worst[0] feature, worst[1] probability. */
    private static void compareExpression(byte[] crop, JsonNode ref, double[] worst) {
        FaceExpressionNet net = FaceExpressionNet.builtIn();
        float[] f = net.features(crop, new FaceExpressionNet.Scratch());
        worst[0] = Math.max(worst[0], maxDiff(f, ref.get("features")));
        worst[1] = Math.max(worst[1], maxDiff(net.probabilities(f), ref.get("probabilities")));
    }

    /** One line per comparison in the test output: the figures docs/media-visual.md quotes. */
    private static void report(String what, String diffs) {
        System.out.println("[face-api reference] " + what + ": max |Java - face-api| " + diffs);
    }

    private static double maxDiff(float[] mine, JsonNode ref) {
        assertEquals(ref.size(), mine.length);
        double m = 0;
        for (int i = 0; i < mine.length; i++) m = Math.max(m, Math.abs(mine[i] - ref.get(i).asDouble()));
        return m;
    }

    private static byte[] gzip(byte[] b) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                z.write(b);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
