package dev.vavl4j.media.visual;

import dev.vavl4j.data.Features;
import dev.vavl4j.media.FrontEndInfo;
import dev.vavl4j.media.RgbFrame;
import dev.vavl4j.media.VisualFrontEnd;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The built-in visual front end {@code faceexpr}: per frame, face-api's TinyFaceDetector finds the face,
 * {@link FaceTracker} picks it and keeps a smoothed square, {@link FaceCrop} cuts it to 112×112, and
 * FaceExpressionNet's 256-dim bottleneck (before its expression classifier) is the frame's feature row.
 * <p>Frames before the clip's first detection are held (copied: a decoder may reuse its buffers) and get
 * the first detection's square once it comes; at most {@link Options#maxLeadingFrames} are held, older ones
 * are dropped and give no row. After the first detection every frame gives a row, those without a detection
 * with the last square. A clip with no detection in any frame has no visual modality: features null.
 * <p>The networks are immutable and shared; a {@link Clip} holds its own buffers and tracker, so clips run
 * on different threads at once (that is how frames are spread over cores: by clip, never inside a frame).
 */
public final class FaceExprFrontEnd implements VisualFrontEnd {
    public static final String NAME = "faceexpr";
    /** Bumped when the steps change in a way the settings do not show. */
    static final String ALGORITHM_VERSION = "1";

    /**
     * @param detectorInputSize square side the detector sees, multiple of 32 (see {@link TinyFaceDetector})
     * @param scoreThreshold    detections scoring at most this are ignored, in (0, 1)
     * @param margin            crop side = detection's long side · (1 + margin)
     * @param smoothing         weight of the previous square in its moving average, [0, 1); 0 = none
     * @param maxLeadingFrames  frames held while waiting for the first detection, ≥ 0
     */
    public record Options(int detectorInputSize, double scoreThreshold, double margin, double smoothing, int maxLeadingFrames) {
        public Options {
            if (detectorInputSize < 32 || detectorInputSize % 32 != 0) {
                throw new IllegalArgumentException("detectorInputSize must be a positive multiple of 32, got " + detectorInputSize);
            }
            if (!(scoreThreshold > 0 && scoreThreshold < 1)) throw new IllegalArgumentException("scoreThreshold must be in (0, 1), got " + scoreThreshold);
            if (!(margin >= 0 && margin <= 4)) throw new IllegalArgumentException("margin must be in [0, 4], got " + margin);
            if (!(smoothing >= 0 && smoothing < 1)) throw new IllegalArgumentException("smoothing must be in [0, 1), got " + smoothing);
            if (maxLeadingFrames < 0) throw new IllegalArgumentException("maxLeadingFrames must be ≥ 0, got " + maxLeadingFrames);
        }

        /** Input 416, threshold 0.5, margin 0 (the detection box itself, squared), smoothing 0.5, 150 leading frames (5 s at 30 fps). */
        public static Options defaults() {
            return new Options(TinyFaceDetector.DEFAULT_INPUT_SIZE, TinyFaceDetector.DEFAULT_SCORE_THRESHOLD, 0.0, 0.5, 150);
        }
    }

    private final Options options;
    private final TinyFaceDetector detector;
    private final FaceExpressionNet expression;
    private final FrontEndInfo info;

    /** With {@link Options#defaults()} and the weights in this jar. */
    public FaceExprFrontEnd() {
        this(Options.defaults());
    }

    public FaceExprFrontEnd(Options options) {
        this(options, TinyFaceDetector.builtIn(), FaceExpressionNet.builtIn());
    }

    public FaceExprFrontEnd(Options options, TinyFaceDetector detector, FaceExpressionNet expression) {
        this.options = options;
        this.detector = detector;
        this.expression = expression;
        this.info = new FrontEndInfo(NAME, settings(options, detector, expression));
    }

    private static Map<String, String> settings(Options o, TinyFaceDetector d, FaceExpressionNet e) {
        Map<String, String> s = new TreeMap<>();
        s.put("version", ALGORITHM_VERSION);
        s.put("source", "@vladmandic/face-api 1.7.15: TinyFaceDetector, FaceExpressionNet");
        s.put("detector.inputSize", Integer.toString(o.detectorInputSize()));
        s.put("detector.scoreThreshold", Double.toString(o.scoreThreshold()));
        s.put("detector.iouThreshold", Double.toString(TinyFaceDetector.IOU_THRESHOLD));
        s.put("track.choice", "highest score first, then largest IoU with the last face");
        s.put("crop.margin", Double.toString(o.margin()));
        s.put("crop.smoothing", Double.toString(o.smoothing()));
        s.put("crop.size", Integer.toString(FaceExpressionNet.INPUT_SIZE));
        s.put("crop.border", "black");
        s.put("crop.leadingFrames", "first detection's square, at most " + o.maxLeadingFrames());
        s.put("feature", "FaceExpressionNet bottleneck (avgPool of dense3), before fc");
        s.put("feature.dim", Integer.toString(FaceExpressionNet.FEATURE_DIM));
        d.weightsSha256().forEach((file, sha) -> s.put("weights.sha256." + file, sha));
        e.weightsSha256().forEach((file, sha) -> s.put("weights.sha256." + file, sha));
        return s;
    }

    @Override
    public FrontEndInfo info() {
        return info;
    }

    public Options options() {
        return options;
    }

    /**
     * Whether the networks' products run on the Vector API (the JVM has {@code --add-modules
     * jdk.incubator.vector}); without it they run as plain loops, some 10× slower (docs/media-visual.md),
     * with the same results to float rounding. For a caller that wants to warn.
     */
    public static boolean vectorKernels() {
        return NnOps.VECTOR;
    }

    @Override
    public Clip startClip(String name) {
        return new FaceClip(name, null);
    }

    /** A clip that also hands each frame's crop to {@code crops} (frame index from 0, 112·112·3 bytes); for tests and tools. */
    Clip startClip(String name, BiConsumer<Integer, byte[]> crops) {
        return new FaceClip(name, crops);
    }

    private final class FaceClip implements Clip {
        private final String name;
        private final BiConsumer<Integer, byte[]> crops;
        private final FaceTracker tracker = new FaceTracker(options.margin(), options.smoothing());
        private final TinyFaceDetector.Scratch detectScratch = new TinyFaceDetector.Scratch();
        private final FaceExpressionNet.Scratch embedScratch = new FaceExpressionNet.Scratch();
        /** Frames waiting for the first detection, with their indices. */
        private final ArrayDeque<RgbFrame> leading = new ArrayDeque<>();
        private final ArrayDeque<Integer> leadingIndex = new ArrayDeque<>();
        private float[] rows = new float[64 * FaceExpressionNet.FEATURE_DIM];
        private int rowCount, seen, detected;
        private boolean finished;

        FaceClip(String name, BiConsumer<Integer, byte[]> crops) {
            this.name = name;
            this.crops = crops;
        }

        @Override
        public void accept(RgbFrame frame) {
            if (finished) throw new IllegalStateException("clip " + name + " is finished");
            int index = seen++;
            List<FaceBox> faces = detector.detect(frame, options.detectorInputSize(), options.scoreThreshold(), detectScratch);
            if (!faces.isEmpty()) detected++;
            FaceTracker.Square square = tracker.update(faces);
            if (square == null) {
                if (options.maxLeadingFrames() == 0) return;
                if (leading.size() == options.maxLeadingFrames()) {
                    leading.removeFirst();
                    leadingIndex.removeFirst();
                }
                leading.addLast(new RgbFrame(frame.width(), frame.height(), frame.rgb().clone(), frame.timeSeconds()));
                leadingIndex.addLast(index);
                return;
            }
            while (!leading.isEmpty()) embed(leading.removeFirst(), leadingIndex.removeFirst(), square);
            embed(frame, index, square);
        }

        private void embed(RgbFrame frame, int index, FaceTracker.Square square) {
            byte[] crop = FaceCrop.crop(frame, square, FaceExpressionNet.INPUT_SIZE);
            if (crops != null) crops.accept(index, crop);
            float[] f = expression.features(crop, embedScratch);
            int dim = FaceExpressionNet.FEATURE_DIM;
            if ((rowCount + 1) * dim > rows.length) rows = Arrays.copyOf(rows, rows.length * 2);
            System.arraycopy(f, 0, rows, rowCount * dim, dim);
            rowCount++;
        }

        @Override
        public VisualResult finish() {
            if (finished) throw new IllegalStateException("clip " + name + " is finished");
            finished = true;
            leading.clear();
            if (rowCount == 0) return new VisualResult(null, seen, detected);
            int dim = FaceExpressionNet.FEATURE_DIM;
            return new VisualResult(new Features(Arrays.copyOf(rows, rowCount * dim), rowCount, dim), seen, detected);
        }
    }
}
