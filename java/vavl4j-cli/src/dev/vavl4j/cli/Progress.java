package dev.vavl4j.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.text.DecimalFormat;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import me.tongfei.progressbar.DefaultProgressBarRenderer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import me.tongfei.progressbar.ProgressState;

/**
 * A progress bar with rate and ETA on stderr. On a terminal it redraws one line and erases it when done, so
 * what the command prints on stdout (an epoch table, say) is not interleaved with finished bars; otherwise
 * (CI logs, pipes) it writes a line every {@value #LOG_INTERVAL_MS} ms and the final state, so logs stay
 * readable.
 */
final class Progress implements AutoCloseable {
    private static final int LOG_INTERVAL_MS = 10_000;
    /** Characters per bar line. */
    private static final int WIDTH = 100;
    /** Below this much elapsed time a rate is mostly noise, so none is shown. */
    private static final double MIN_RATE_SECONDS = 0.2;

    private final ProgressBar bar;
    private final PrintWriter err;
    private final boolean terminal;
    /** Length of the line last drawn on the terminal (what {@link #close} has to erase). */
    private final int[] drawn;

    private Progress(ProgressBar bar, PrintWriter err, boolean terminal, int[] drawn) {
        this.bar = bar;
        this.err = err;
        this.terminal = terminal;
        this.drawn = drawn;
    }

    /** Whether stderr is an interactive terminal (a CI job's pseudo-terminal counts as a log). */
    static boolean onTerminal() {
        return System.console() != null && System.console().isTerminal() && System.getenv("CI") == null;
    }

    static Progress start(PrintWriter err, String task, long max, String unit) {
        return start(err, task, max, unit, onTerminal());
    }

    static Progress start(PrintWriter err, String task, long max, String unit, boolean terminal) {
        String[] last = {null};
        int[] drawn = {0};
        DelegatingProgressBarConsumer consumer = new DelegatingProgressBarConsumer(line -> {
            synchronized (err) {
                if (terminal) {
                    err.print("\r" + line);
                    drawn[0] = line.length();
                } else {
                    // in a log, skip the empty bar drawn at the start and repeats of the same line
                    String l = line.stripTrailing();
                    if (last[0] == null && l.matches(".*\\s0%.*")) return;
                    if (l.equals(last[0])) return;
                    last[0] = l;
                    err.println(l);
                }
                err.flush();
            }
        }, WIDTH);
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setConsumer(consumer)
                .setUpdateIntervalMillis(terminal ? 200 : LOG_INTERVAL_MS).setRenderer(new Renderer(unit)).build();
        return new Progress(bar, err, terminal, drawn);
    }

    void stepTo(long n) {
        bar.stepTo(n);
    }

    void extra(String message) {
        bar.setExtraMessage(message);
    }

    /**
     * Draws the final state (ProgressBar.close waits for that), then on a terminal erases the line and leaves
     * the cursor at its start, so the next output, on either stream, begins on a clean line.
     */
    @Override
    public void close() {
        bar.close();
        if (terminal) {
            synchronized (err) {
                if (drawn[0] > 0) err.print("\r" + " ".repeat(drawn[0]) + "\r");
                drawn[0] = 0;
                err.flush();
            }
        }
    }

    /**
     * A rate with a leading digit and a precision that suits its size: two significant digits below 1
     * ({@code 0.2}, {@code 0.043}), one decimal below 100 ({@code 2.3}, {@code 45.1}), none above ({@code 153}).
     * (The library's default pattern, {@code #.0}, prints a slow training step as {@code .2}.)
     */
    static String rate(double perSecond) {
        if (perSecond >= 99.95) return String.format(Locale.ROOT, "%.0f", perSecond);
        if (perSecond >= 0.995) return String.format(Locale.ROOT, "%.1f", perSecond);
        String s = new BigDecimal(perSecond).round(new MathContext(2)).stripTrailingZeros().toPlainString();
        return s.contains(".") ? s : s + ".0";
    }

    /**
     * The library's renderer with our rate: measured over the elapsed time to the nanosecond (the library
     * divides by whole seconds, so an 0.8 s run has no rate and a 1.9 s one is off by half) and printed by
     * {@link #rate}.
     */
    private static final class Renderer extends DefaultProgressBarRenderer {
        private final String unit;

        Renderer(String unit) {
            super(ProgressBarStyle.ASCII, " " + unit, 1, true, new DecimalFormat("0.0"), ChronoUnit.SECONDS, true,
                    Renderer::linearEta);
            this.unit = unit;
        }

        @Override
        protected String speed(ProgressState s) {
            double seconds = s.getElapsedAfterStart().toNanos() / 1e9;
            long done = s.getCurrent() - s.getStart();
            if (done <= 0 || seconds < MIN_RATE_SECONDS) return "? " + unit + "/s";
            return rate(done / seconds) + " " + unit + "/s";
        }

        /** Time left at the rate so far (what the library does by default, which it does not expose). */
        private static Optional<Duration> linearEta(ProgressState s) {
            long done = s.getCurrent() - s.getStart(), left = s.getMax() - s.getCurrent();
            if (s.isIndefinite() || done <= 0) return Optional.empty();
            return Optional.of(s.getElapsedAfterStart().multipliedBy(Math.max(left, 0)).dividedBy(done));
        }
    }
}
