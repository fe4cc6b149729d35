package dev.vavl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learning-curve PNG: right size, really drawn, both lines present, written atomically. */
class LearningCurvePlotTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static BufferedImage read(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "not a readable image: " + png);
        return img;
    }

    /** Pixels within a small distance of {@code c}: antialiasing blends line edges, line centres stay close. */
    private static int pixelsNear(BufferedImage img, Color c) {
        int count = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int dr = ((rgb >> 16) & 0xff) - c.getRed(), dg = ((rgb >> 8) & 0xff) - c.getGreen(),
                        db = (rgb & 0xff) - c.getBlue();
                if (dr * dr + dg * dg + db * db < 400) count++;
            }
        }
        return count;
    }

    private static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) colours.add(img.getRGB(x, y));
        }
        return colours.size();
    }

    @Test
    void writesChartOfRequestedSizeWithBothCurvesAndNoTempFile() throws IOException {
        List<LearningCurvePlot.Point> points = new ArrayList<>();
        for (int e = 1; e <= 12; e++) {
            double dev = e == 3 ? Double.NaN : 1.0 / e + 0.01 * (e - 7) * (e - 7); // not measured at epoch 3
            points.add(new LearningCurvePlot.Point(e, 2.0 / e, dev));
        }
        Path png = dir.resolve("curve.png");
        LearningCurvePlot.write(png, "run-1 learning curve", points, 640, 400);

        BufferedImage img = read(png);
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        assertTrue(distinctColours(img) > 10, "image looks blank");
        assertTrue(pixelsNear(img, LearningCurvePlot.TRAIN_COLOR) > 100, "train curve missing");
        assertTrue(pixelsNear(img, LearningCurvePlot.DEV_COLOR) > 100, "dev curve missing");
        assertTrue(pixelsNear(img, LearningCurvePlot.BEST_COLOR) > 50, "best-epoch marker missing");
        assertEquals(List.of("curve.png"), names());
    }

    /**
     * The x of the pixel column with the most best-marker pixels above the legend (the bottom 80 px, where the
     * marker's diamond also appears): where the dashed best-epoch line is drawn.
     */
    private static int bestLineX(BufferedImage img) {
        int bestX = -1, most = -1;
        Color c = LearningCurvePlot.BEST_COLOR;
        for (int x = 0; x < img.getWidth(); x++) {
            int n = 0;
            for (int y = 0; y < img.getHeight() - 80; y++) {
                int rgb = img.getRGB(x, y);
                int dr = ((rgb >> 16) & 0xff) - c.getRed(), dg = ((rgb >> 8) & 0xff) - c.getGreen(), db = (rgb & 0xff) - c.getBlue();
                if (dr * dr + dg * dg + db * db < 400) n++;
            }
            if (n > most) {
                most = n;
                bestX = x;
            }
        }
        return bestX;
    }

    @Test
    void marksTheEpochTheTrainerSelectedNotTheLowestDevLoss() throws IOException {
        List<LearningCurvePlot.Point> points = new ArrayList<>();
        for (int e = 1; e <= 12; e++) points.add(new LearningCurvePlot.Point(e, 2.0 / e, 1.0 + 0.01 * (e - 3) * (e - 3)));   // lowest at 3
        Path byLoss = dir.resolve("loss.png"), byScore = dir.resolve("score.png");
        LearningCurvePlot.write(byLoss, "t", points, 640, 400);
        LearningCurvePlot.write(byScore, "t", points, 10, "best: epoch 10 (score)", 640, 400);
        int xLoss = bestLineX(read(byLoss)), xScore = bestLineX(read(byScore));
        // 7 epochs further right, on a plot about 560 px wide for 12 epochs
        assertTrue(xScore - xLoss > 200, "best line at x " + xLoss + " (lowest loss) and " + xScore + " (epoch 10)");
    }

    @Test
    void overwritesAnExistingChartInPlace() throws IOException {
        Path png = dir.resolve("curve.png");
        Files.writeString(png, "old");
        LearningCurvePlot.write(png, "t", List.of(new LearningCurvePlot.Point(1, 1, 2), new LearningCurvePlot.Point(2, 0.5, 1)),
                300, 200);
        assertEquals(300, read(png).getWidth());
        assertEquals(List.of("curve.png"), names());
    }

    @Test
    void singlePointAndNoDevLossStillDrawAChart() throws IOException {
        Path one = dir.resolve("one.png");
        LearningCurvePlot.write(one, "one epoch", List.of(new LearningCurvePlot.Point(1, 0.9, 1.1)), 320, 240);
        BufferedImage img = read(one);
        assertEquals(320, img.getWidth());
        assertEquals(240, img.getHeight());
        assertTrue(distinctColours(img) > 10, "image looks blank");
        assertTrue(pixelsNear(img, LearningCurvePlot.TRAIN_COLOR) > 0, "the single train point is not drawn");

        Path noDev = dir.resolve("nodev.png");
        LearningCurvePlot.write(noDev, "no dev", List.of(new LearningCurvePlot.Point(1, 0.9, Double.NaN),
                new LearningCurvePlot.Point(2, 0.7, Double.NaN)), 320, 240);
        BufferedImage img2 = read(noDev);
        assertTrue(pixelsNear(img2, LearningCurvePlot.TRAIN_COLOR) > 20, "train curve missing");
        assertEquals(0, pixelsNear(img2, LearningCurvePlot.DEV_COLOR), "no dev loss, yet a dev curve");
        assertEquals(List.of("nodev.png", "one.png"), names());
    }

    @Test
    void createsMissingParentDirectories() throws IOException {
        Path png = dir.resolve("runs/a/curve.png");
        LearningCurvePlot.write(png, null, List.of(new LearningCurvePlot.Point(1, 1, 1)), 200, 150);
        assertEquals(150, read(png).getHeight());
    }

    @Test
    void badArgumentsWriteNothing() throws IOException {
        Path png = dir.resolve("bad.png");
        List<LearningCurvePlot.Point> one = List.of(new LearningCurvePlot.Point(1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> LearningCurvePlot.write(png, "t", List.of(), 100, 100));
        assertThrows(IllegalArgumentException.class, () -> LearningCurvePlot.write(png, "t", one, 0, 100));
        assertThrows(IllegalArgumentException.class, () -> LearningCurvePlot.write(png, "t", one, 100, -1));
        assertEquals(List.of(), names());
    }

    @Test
    void runsHeadless() throws IOException {
        LearningCurvePlot.write(dir.resolve("h.png"), "t", List.of(new LearningCurvePlot.Point(1, 1, 1)), 50, 50);
        assertEquals("true", System.getProperty("java.awt.headless"));
        assertTrue(java.awt.GraphicsEnvironment.isHeadless());
    }
}
