package dev.vavl4j.cli;

import dev.vavl4j.train.EpochSummary;
import dev.vavl4j.train.TrainListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * Renders a training run: progress bars on stderr, one line per epoch on stdout, the learning-curve PNG.
 * Every bar is closed (on a terminal: erased) before anything goes to stdout, so the epoch table stays whole.
 */
final class TrainProgress implements TrainListener, AutoCloseable {
    static final String CURVE = "learning-curve.png";
    private final PrintWriter out, err;
    private final Path dir;
    private final boolean terminal;
    private Progress bar;
    private int epochs;
    private dev.vavl4j.checkpoint.TrainedHeads heads = dev.vavl4j.checkpoint.TrainedHeads.ALL;

    TrainProgress(PrintWriter out, PrintWriter err, Path dir) {
        this(out, err, dir, Progress.onTerminal());
    }

    /** {@code terminal}: draw the bars for a terminal (tests pass it; the CLI asks {@link Progress#onTerminal}). */
    TrainProgress(PrintWriter out, PrintWriter err, Path dir, boolean terminal) {
        this.out = out;
        this.err = err;
        this.dir = dir;
        this.terminal = terminal;
    }

    @Override
    public void onLoading(int done, int total) {
        if (bar == null) bar = Progress.start(err, "features", total, "utt", terminal);
        bar.stepTo(done);
        if (done == total) closeBar();
    }

    @Override
    public void onData(int train, int trainUnimodal, int dev, List<String> skipped) {
        closeBar();
        out.printf("data: %d training utterances (%d with one modality only), %d development%n", train, trainUnimodal, dev);
        if (!skipped.isEmpty()) {
            out.printf("skipped %d manifest rows without features:%n", skipped.size());
            skipped.stream().limit(10).forEach(s -> out.println("  " + s));
            if (skipped.size() > 10) out.println("  ... " + (skipped.size() - 10) + " more");
        }
    }

    @Override
    public void onHeads(dev.vavl4j.checkpoint.TrainedHeads heads) {
        this.heads = heads;
        if (!heads.all()) out.println("heads: " + heads + " only (the corpus has no " + (heads.audio() && heads.visual() ? "utterances with both modalities"
                : heads.audio() ? "visual features" : "audio features") + " to train the others)");
    }

    /** What the curve plots: the development loss and its training counterpart ({@link EpochSummary#trainTaskLoss}). */
    String curveTitle(List<EpochSummary> history) {
        String what = heads.fusion() ? "fused task loss" : heads.audio() && heads.visual() ? "mean audio and visual task loss"
                : heads.audio() ? "audio task loss" : "visual task loss";
        return "VAVL training: " + what;
    }

    @Override
    public void onStart(int firstEpoch, int epochs, int batchesPerEpoch, String configSummary) {
        closeBar();
        this.epochs = epochs;
        out.println("model: " + configSummary);
        if (firstEpoch > epochs) out.printf("the run already has all %d epochs; raise --epochs to train further%n", epochs);
        else if (firstEpoch > 1) out.printf("resuming at epoch %d of %d%n", firstEpoch, epochs);
        out.printf("%5s %11s %11s %11s %9s %9s %7s%n", "epoch", "audio_loss", "visual_loss", "fusion_loss", "dev_loss", "dev_score", "time");
        out.flush();
    }

    @Override
    public void onBatch(int epoch, int batch, int batches) {
        if (bar == null) bar = Progress.start(err, "epoch " + epoch + "/" + epochs, batches, "batch", terminal);
        bar.stepTo(batch);
    }

    @Override
    public void onEvaluating(int epoch, int utterances) {
        closeBar();
        bar = Progress.start(err, "dev " + epoch + "/" + epochs, utterances, "utt", terminal);
    }

    @Override
    public void onEvaluated(int done) {
        if (bar != null) bar.stepTo(done);
    }

    @Override
    public void onEpoch(EpochSummary s, List<EpochSummary> history) {
        closeBar();
        out.printf("%5d %11.4f %11.4f %11.4f %9.4f %9.4f %6.1fs%s%n", s.epoch(), s.audioLoss(), s.visualLoss(), s.fusionLoss(),
                s.devLoss(), s.devScore(), s.seconds(), s.best() ? "  * best" : "");
        out.flush();
        List<LearningCurvePlot.Point> points = history.stream()
                .map(e -> new LearningCurvePlot.Point(e.epoch(), e.trainTaskLoss(), e.devLoss())).toList();
        try {
            // the epoch the trainer selected (best/), by loss or by score as the run's select_on says
            EpochSummary best = null;
            for (EpochSummary e : history) if (e.best()) best = e;
            String label = best == null ? null : String.format(java.util.Locale.ROOT, "best: epoch %d (dev loss %.4f, score %.4f)", best.epoch(),
                    best.devLoss(), best.devScore());
            LearningCurvePlot.write(dir.resolve(CURVE), curveTitle(history), points, best == null ? 0 : best.epoch(), label, 800, 500);
        } catch (IOException e) {
            err.println("warning: could not write " + dir.resolve(CURVE) + ": " + IoErrors.describe(e));
        }
    }

    @Override
    public void onFinish(String reason, int bestEpoch, double bestDevLoss) {
        closeBar();   // the command prints its summary next
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    @Override
    public void close() {
        closeBar();
    }
}
