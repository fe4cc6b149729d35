package dev.vavl4j.cli;

import dev.vavl4j.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Polygon;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The learning-curve PNG written during training: train and development loss per epoch. */
public final class LearningCurvePlot {
    static final Color TRAIN_COLOR = new Color(31, 119, 180);
    static final Color DEV_COLOR = new Color(255, 127, 14);
    static final Color BEST_COLOR = new Color(44, 160, 44);

    static {
        // Training runs on servers without a display; AWT must come up headless. Set it only when nobody chose,
        // so an embedding application keeps its own setting.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private LearningCurvePlot() {}

    /** One point per epoch: 1-based epoch, mean training loss, development loss (NaN when not measured). */
    public record Point(int epoch, double trainLoss, double devLoss) {}

    /**
     * Writes a PNG line chart (train and development loss against epoch, the best dev epoch marked) of
     * width×height pixels, atomically: temp file in the same directory, then rename. Non-finite losses (a dev
     * loss not measured, a diverged train loss) are left out of their line. Throws IllegalArgumentException for
     * no points or a size below 1.
     */
    public static void write(Path png, String title, List<Point> points, int width, int height) throws IOException {
        write(png, title, points, 0, null, width, height);
    }

    /**
     * As {@link #write(Path, String, List, int, int)}, marking epoch {@code bestEpoch} as the best (the one the
     * trainer selected, which need not have the lowest development loss: with {@code select_on "score"} it has the
     * best score) with {@code bestLabel} in the legend; {@code bestEpoch} 0 marks the lowest development loss.
     */
    public static void write(Path png, String title, List<Point> points, int bestEpoch, String bestLabel, int width, int height) throws IOException {
        if (png == null) throw new IllegalArgumentException("png path must not be null");
        if (points == null || points.isEmpty()) throw new IllegalArgumentException("no points to plot");
        if (width < 1 || height < 1) throw new IllegalArgumentException("bad image size " + width + "x" + height);
        JFreeChart chart = chart(title, points, bestEpoch, bestLabel);
        AtomicFiles.write(png, out -> ChartUtils.writeChartAsPNG(out, chart, width, height));
    }

    private static JFreeChart chart(String title, List<Point> points, int bestEpoch, String bestLabel) {
        XYSeries train = new XYSeries("train");
        XYSeries dev = new XYSeries("development");
        Point best = null;
        for (Point p : points) {
            if (Double.isFinite(p.trainLoss())) train.add(p.epoch(), p.trainLoss());
            if (Double.isFinite(p.devLoss())) {
                dev.add(p.epoch(), p.devLoss());
                if (bestEpoch > 0 ? p.epoch() == bestEpoch : best == null || p.devLoss() < best.devLoss()) best = p; // first epoch wins ties
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(train);
        if (dev.getItemCount() > 0) data.addSeries(dev); // no empty legend entry when dev was never measured

        JFreeChart chart = ChartFactory.createXYLineChart(title == null ? "" : title, "epoch", "loss", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);

        // Shapes as well as lines: a single epoch has no segment to draw, only its marker.
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, TRAIN_COLOR);
        renderer.setSeriesPaint(1, DEV_COLOR);
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        renderer.setSeriesStroke(1, new BasicStroke(2f));
        plot.setRenderer(renderer);

        if (best != null) {
            // The best epoch as a third series (a large diamond, its value in the legend, where no text can be
            // clipped by the plot edge) and a dashed vertical line through it.
            XYSeries bestSeries = new XYSeries(bestLabel != null ? bestLabel
                    : String.format(Locale.ROOT, "best dev: epoch %d (%.4f)", best.epoch(), best.devLoss()));
            bestSeries.add(best.epoch(), best.devLoss());
            data.addSeries(bestSeries);
            int s = data.getSeriesCount() - 1;
            renderer.setSeriesPaint(s, BEST_COLOR);
            renderer.setSeriesLinesVisible(s, false);
            renderer.setSeriesShape(s, new Polygon(new int[] {0, 7, 0, -7}, new int[] {-7, 0, 7, 0}, 4));
            plot.addDomainMarker(new ValueMarker(best.epoch(), BEST_COLOR, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)));
        }
        return chart;
    }
}
