package dev.vavl4j.media.visual;

import dev.vavl4j.media.RgbFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * face-api's TinyFaceDetector in Java: the TinyYolov2 variant with depthwise-separable convolutions
 * ({@code src/tinyYolov2/TinyYolov2Base.ts} with the config of {@code src/tinyFaceDetector}: first layer a
 * full 3×3 conv, filter sizes 3-16-32-64-128-256-512, one class, 5 anchors, IoU threshold 0.4), reading the
 * shipped {@code tiny_face_detector_model} weights. Step by step as the TypeScript does it:
 * <ol>
 *   <li>{@code NetInput.toBatchTensor(inputSize, false)}: pad the frame to a square with zeros after its
 *       short side (bottom or right), resize it bilinearly to inputSize² ({@code NnOps.ResizeAxis});</li>
 *   <li>{@code normalize} by the mean RGB (117.001, 114.697, 97.404), then divide by 255;</li>
 *   <li>{@code runMobilenet}: conv0 = 3×3 conv 'valid' + leaky ReLU (α 0.1); max pool 2×2/2; conv1..conv5 =
 *       zero pad 1, separable 3×3 conv, bias, leaky, each but conv5 followed by max pool 2×2/2, conv5 by max
 *       pool 2×2/1 'same'; conv8 = 1×1 conv to 5 anchors × (x, y, w, h, score);</li>
 *   <li>{@code extractBoxes}: score = sigmoid, kept when above the threshold; centre =
 *       (cell + sigmoid(t)) / cells, size = exp(t) · anchor / cells, corrected for the padding; then
 *       {@code nonMaxSuppression} (greedy, highest score first, IoU above 0.4 dropped);</li>
 *   <li>the boxes, relative to the unpadded frame, scaled to its pixels ({@code FaceDetection.box}).</li>
 * </ol>
 * Immutable and shared by any number of threads; each thread passes its own {@link Scratch}.
 */
public final class TinyFaceDetector {
    /** face-api's default and the front end's: on CREMA-D every size from 224 up finds every face, but 224 and 320 give looser boxes and 320 scores down to 0.53 (docs/media-visual.md). */
    public static final int DEFAULT_INPUT_SIZE = 416;
    /** face-api's default ({@code TinyYolov2Options}). */
    public static final double DEFAULT_SCORE_THRESHOLD = 0.5;
    static final double IOU_THRESHOLD = 0.4;
    static final float[] MEAN_RGB = {117.001f, 114.697f, 97.404f};
    static final double[][] ANCHORS = {
            {1.603231, 2.094468}, {6.041143, 7.080126}, {2.882459, 3.518061}, {4.266906, 5.178857}, {9.041765, 10.66308}};
    static final int BOXES = 5, ENCODING = 5;
    /** Output channels of conv0..conv5. */
    private static final int[] CHANNELS = {16, 32, 64, 128, 256, 512};
    static final String MANIFEST = "dev/vavl4j/media/visual/tiny_face_detector_model-weights_manifest.json";

    private final float[] conv0W, conv0B;
    private final float[][] dwW = new float[6][], pwW = new float[6][], pwB = new float[6][];
    private final float[] conv8W, conv8B;
    private final Map<String, String> sha256;

    private static final class BuiltIn {
        static final TinyFaceDetector INSTANCE = new TinyFaceDetector(TfjsWeights.fromClassPath(MANIFEST));
    }

    /** The detector with the weights shipped in this jar, loaded once. */
    public static TinyFaceDetector builtIn() {
        return BuiltIn.INSTANCE;
    }

    public TinyFaceDetector(TfjsWeights w) {
        conv0W = w.tensor("conv0/filters", 3, 3, 3, CHANNELS[0]).values();
        conv0B = w.tensor("conv0/bias", CHANNELS[0]).values();
        for (int i = 1; i < 6; i++) {
            int cin = CHANNELS[i - 1], cout = CHANNELS[i];
            dwW[i] = w.tensor("conv" + i + "/depthwise_filter", 3, 3, cin, 1).values();
            pwW[i] = w.tensor("conv" + i + "/pointwise_filter", 1, 1, cin, cout).values();
            pwB[i] = w.tensor("conv" + i + "/bias", cout).values();
        }
        conv8W = w.tensor("conv8/filters", 1, 1, CHANNELS[5], BOXES * ENCODING).values();
        conv8B = w.tensor("conv8/bias", BOXES * ENCODING).values();
        sha256 = w.sha256();
    }

    /** SHA-256 of the manifest and the shard this detector was built from. */
    public Map<String, String> weightsSha256() {
        return sha256;
    }

    /** Cells per side of the output grid: the input size after conv0 'valid' and five halvings. */
    public static int gridSize(int inputSize) {
        int s = inputSize - 2;
        for (int i = 0; i < 5; i++) s = NnOps.sameOut(s, 2);
        return s;
    }

    /**
     * The faces in {@code frame}, best first, in frame pixels. {@code inputSize} must be a multiple of 32
     * (as face-api demands; 416 is its default, larger finds smaller faces and costs the square);
     * {@code scoreThreshold} in (0, 1).
     */
    public List<FaceBox> detect(RgbFrame frame, int inputSize, double scoreThreshold, Scratch scratch) {
        if (scoreThreshold <= 0 || scoreThreshold >= 1) throw new IllegalArgumentException("scoreThreshold must be in (0, 1), got " + scoreThreshold);
        float[] grid = forward(frame, inputSize, scratch);
        return decode(grid, gridSize(inputSize), frame.width(), frame.height(), inputSize, scoreThreshold);
    }

    /** {@link #detect(RgbFrame, int, double, Scratch)} with buffers of its own (for a single call). */
    public List<FaceBox> detect(RgbFrame frame, int inputSize, double scoreThreshold) {
        return detect(frame, inputSize, scoreThreshold, new Scratch());
    }

    /** conv8's output, {@code [cells, cells, 5·5]} (anchor-major within a cell); in {@code scratch}, valid until its next use. */
    float[] forward(RgbFrame frame, int inputSize, Scratch s) {
        if (inputSize < 32 || inputSize % 32 != 0) throw new IllegalArgumentException("inputSize must be a positive multiple of 32, got " + inputSize);
        s.ensure(inputSize);
        toInput(frame, inputSize, s.a);
        // conv0 + leaky + pool, two conv rows at a time, so its full-size output is never stored
        int h = inputSize - 2;
        int ph = NnOps.sameOut(h, 2);
        for (int py = 0; py < ph; py++) {
            int y0 = 2 * py, y1 = Math.min(y0 + 2, h);
            NnOps.im2col3x3(s.a, inputSize, inputSize, 3, 1, 0, 0, y0, y1, h, s.patches);
            NnOps.matmul(s.patches, 0, (y1 - y0) * h, 27, conv0W, CHANNELS[0], conv0B, NnOps.LEAKY, s.rows, 0);
            NnOps.maxPool2x2(s.rows, y1 - y0, h, CHANNELS[0], 2, s.b, py * ph * CHANNELS[0], 1, ph);
        }
        h = ph;
        float[] x = s.b, y = s.a;
        for (int i = 1; i < 6; i++) {
            int cin = CHANNELS[i - 1], cout = CHANNELS[i];
            NnOps.depthwise3x3(x, h, h, cin, dwW[i], 1, 1, 1, s.t, h, h);
            NnOps.matmul(s.t, 0, h * h, cin, pwW[i], cout, pwB[i], NnOps.LEAKY, y, 0);
            int stride = i < 5 ? 2 : 1;
            int oh = NnOps.sameOut(h, stride);
            NnOps.maxPool2x2(y, h, h, cout, stride, x, 0, oh, oh);
            h = oh;
        }
        NnOps.matmul(x, 0, h * h, CHANNELS[5], conv8W, BOXES * ENCODING, conv8B, NnOps.NONE, y, 0);
        return y;
    }

    /** Steps 1–2: zero-pad to a square after the short side, resize to size², subtract the mean, divide by 255. */
    static void toInput(RgbFrame frame, int size, float[] out) {
        int w = frame.width(), h = frame.height(), side = Math.max(w, h);
        byte[] rgb = frame.rgb();
        NnOps.ResizeAxis ax = NnOps.ResizeAxis.of(side, size);
        int o = 0;
        for (int oy = 0; oy < size; oy++) {
            int r0 = ax.lo()[oy], r1 = ax.hi()[oy];
            double rf = ax.frac()[oy];
            for (int ox = 0; ox < size; ox++) {
                int c0 = ax.lo()[ox], c1 = ax.hi()[ox];
                double cf = ax.frac()[ox];
                for (int ch = 0; ch < 3; ch++) {
                    double v = NnOps.bilinear(px(rgb, w, h, c0, r0, ch), px(rgb, w, h, c1, r0, ch),
                            px(rgb, w, h, c0, r1, ch), px(rgb, w, h, c1, r1, ch), cf, rf);
                    out[o++] = ((float) v - MEAN_RGB[ch]) / 255f;
                }
            }
        }
    }

    /** Pixel of the zero-padded square: black past the frame's right or bottom edge. */
    private static int px(byte[] rgb, int w, int h, int x, int y, int ch) {
        return x < w && y < h ? rgb[(y * w + x) * 3 + ch] & 0xff : 0;
    }

    /** Steps 4–5 on conv8's output. */
    static List<FaceBox> decode(float[] grid, int cells, int frameW, int frameH, int inputSize, double scoreThreshold) {
        // getReshapedInputDimensions: the frame's size scaled so its long side is inputSize, rounded
        double scale = inputSize / (double) Math.max(frameW, frameH);
        double reshapedW = Math.round(frameW * scale), reshapedH = Math.round(frameH * scale);
        double longSide = Math.max(reshapedW, reshapedH);
        double corrX = longSide / reshapedW, corrY = longSide / reshapedH;
        List<double[]> rel = new ArrayList<>(); // x, y, w, h relative to the unpadded frame; score
        for (int row = 0; row < cells; row++) {
            for (int col = 0; col < cells; col++) {
                for (int a = 0; a < BOXES; a++) {
                    int g = (row * cells + col) * BOXES * ENCODING + a * ENCODING;
                    double score = sigmoid(grid[g + 4]);
                    if (!(score > scoreThreshold)) continue;
                    double ctX = ((col + sigmoid(grid[g])) / cells) * corrX;
                    double ctY = ((row + sigmoid(grid[g + 1])) / cells) * corrY;
                    double bw = ((Math.exp(grid[g + 2]) * ANCHORS[a][0]) / cells) * corrX;
                    double bh = ((Math.exp(grid[g + 3]) * ANCHORS[a][1]) / cells) * corrY;
                    rel.add(new double[] {ctX - bw / 2, ctY - bh / 2, bw, bh, score});
                }
            }
        }
        List<FaceBox> scaledForNms = new ArrayList<>(rel.size());
        for (double[] r : rel) scaledForNms.add(new FaceBox(r[0] * inputSize, r[1] * inputSize, r[2] * inputSize, r[3] * inputSize, r[4]));
        List<FaceBox> out = new ArrayList<>();
        for (int i : nonMaxSuppression(scaledForNms, IOU_THRESHOLD)) {
            double[] r = rel.get(i);
            out.add(new FaceBox(r[0] * frameW, r[1] * frameH, r[2] * frameW, r[3] * frameH, r[4]));
        }
        return out;
    }

    /**
     * face-api's {@code nonMaxSuppression}: indices stably sorted by ascending score, the last taken, every
     * remaining box overlapping it by IoU above the threshold dropped, repeated. Returns the picks in order.
     */
    static List<Integer> nonMaxSuppression(List<FaceBox> boxes, double iouThreshold) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < boxes.size(); i++) order.add(i);
        order.sort((p, q) -> Double.compare(boxes.get(p).score(), boxes.get(q).score())); // List.sort is stable
        List<Integer> pick = new ArrayList<>();
        while (!order.isEmpty()) {
            int curr = order.removeLast();
            pick.add(curr);
            FaceBox c = boxes.get(curr);
            order.removeIf(i -> !(c.iou(boxes.get(i)) <= iouThreshold));
        }
        return pick;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** One thread's buffers, grown to the largest input size seen. Not thread-safe. */
    public static final class Scratch {
        float[] a = new float[0], b = new float[0], t = new float[0], rows = new float[0], patches = new float[0];
        private int size;

        void ensure(int inputSize) {
            if (inputSize <= size) return;
            int h = inputSize - 2;
            int ph = NnOps.sameOut(h, 2);
            long big = Math.max((long) inputSize * inputSize * 3, (long) ph * ph * CHANNELS[1]); // input; conv1's output
            a = new float[Math.toIntExact(big)];
            b = new float[Math.toIntExact(big)];
            t = new float[ph * ph * CHANNELS[0]];
            rows = new float[2 * h * CHANNELS[0]];
            patches = new float[2 * h * 27];
            size = inputSize;
        }
    }

    @Override
    public String toString() {
        return "TinyFaceDetector" + Arrays.toString(CHANNELS);
    }
}
