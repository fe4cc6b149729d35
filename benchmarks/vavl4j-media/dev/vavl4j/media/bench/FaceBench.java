package dev.vavl4j.media.bench;

import dev.vavl4j.media.RgbFrame;
import dev.vavl4j.media.visual.FaceBox;
import dev.vavl4j.media.visual.FaceCrop;
import dev.vavl4j.media.visual.FaceExpressionNet;
import dev.vavl4j.media.visual.FaceTracker;
import dev.vavl4j.media.visual.TinyFaceDetector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The {@code faceexpr} visual front end's per-frame work on a CREMA-D frame (480×360): TinyFaceDetector at
 * {@code inputSize}, the 112×112 crop of the face and FaceExpressionNet's features. Scores are frames per
 * second (throughput; with 2 threads, the sum over both, each thread with its own buffers on the shared
 * networks, as clips run in the features job). The frames are the two committed in
 * tests/vavl4j-media/resources/visual/frames-2.rgb.gz, read from the working directory (run from the
 * repository root); elsewhere a synthetic frame of the same size stands in, which costs the same (the
 * networks' work does not depend on the pixels) but has no face, so a fixed square is embedded instead.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FaceBench {
    private static final int W = 480, H = 360;
    private static final Path FRAMES = Path.of("tests/vavl4j-media/resources/visual/frames-2.rgb.gz");

    @Param({"416"})
    public int inputSize;

    private final TinyFaceDetector detector = TinyFaceDetector.builtIn();
    private final FaceExpressionNet expression = FaceExpressionNet.builtIn();
    private final TinyFaceDetector.Scratch detectScratch = new TinyFaceDetector.Scratch();
    private final FaceExpressionNet.Scratch embedScratch = new FaceExpressionNet.Scratch();
    private RgbFrame[] frames;
    private int next;

    @Setup
    public void setup() throws IOException {
        if (Files.isRegularFile(FRAMES)) {
            byte[] all;
            try (InputStream in = new GZIPInputStream(Files.newInputStream(FRAMES))) {
                all = in.readAllBytes();
            }
            int n = all.length / (W * H * 3);
            frames = new RgbFrame[n];
            for (int i = 0; i < n; i++) frames[i] = new RgbFrame(W, H, Arrays.copyOfRange(all, i * W * H * 3, (i + 1) * W * H * 3), 0);
        } else {
            byte[] rgb = new byte[W * H * 3];
            for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) (i * 31 % 251);
            frames = new RgbFrame[] {new RgbFrame(W, H, rgb, 0)};
        }
    }

    private RgbFrame frame() {
        RgbFrame f = frames[next];
        next = (next + 1) % frames.length;
        return f;
    }

    private float[] detectAndEmbed() {
        RgbFrame f = frame();
        List<FaceBox> faces = detector.detect(f, inputSize, TinyFaceDetector.DEFAULT_SCORE_THRESHOLD, detectScratch);
        FaceTracker.Square square = faces.isEmpty()
                ? new FaceTracker.Square(W / 2.0, H / 2.0, 140)
                : new FaceTracker.Square(faces.get(0).x() + faces.get(0).width() / 2, faces.get(0).y() + faces.get(0).height() / 2,
                        Math.max(faces.get(0).width(), faces.get(0).height()));
        return expression.features(FaceCrop.crop(f, square, FaceExpressionNet.INPUT_SIZE), embedScratch);
    }

    /** Detection + crop + embedding of one frame, one thread. */
    @Benchmark
    @Threads(1)
    public float[] frame1Thread() {
        return detectAndEmbed();
    }

    /** The same on 2 threads over frames (the target: ≥ 30 frames/s on 2 cores). */
    @Benchmark
    @Threads(2)
    public float[] frame2Threads() {
        return detectAndEmbed();
    }

    /** The detector alone. */
    @Benchmark
    @Threads(1)
    public List<FaceBox> detectOnly() {
        return detector.detect(frame(), inputSize, TinyFaceDetector.DEFAULT_SCORE_THRESHOLD, detectScratch);
    }
}
