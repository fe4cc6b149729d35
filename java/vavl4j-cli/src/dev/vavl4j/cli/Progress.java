package dev.vavl4j.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with rate and ETA on stderr. On a terminal it redraws one line; otherwise (CI logs, pipes)
 * it writes a line every {@value #LOG_INTERVAL_MS} ms, so logs stay readable.
 */
final class Progress implements AutoCloseable {
    private static final int LOG_INTERVAL_MS = 10_000;
    private final ProgressBar bar;
    private final PrintWriter err;
    private final boolean terminal;

    private Progress(ProgressBar bar, PrintWriter err, boolean terminal) {
        this.bar = bar;
        this.err = err;
        this.terminal = terminal;
    }

    static Progress start(PrintWriter err, String task, long max, String unit) {
        boolean terminal = System.console() != null && System.console().isTerminal() && System.getenv("CI") == null;
        String[] last = {null};
        DelegatingProgressBarConsumer consumer = new DelegatingProgressBarConsumer(line -> {
            synchronized (err) {
                if (terminal) {
                    err.print("\r" + line);
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
        }, 100);
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(consumer).setUpdateIntervalMillis(terminal ? 200 : LOG_INTERVAL_MS).setUnit(" " + unit, 1)
                .showSpeed().build();
        return new Progress(bar, err, terminal);
    }

    void stepTo(long n) {
        bar.stepTo(n);
    }

    void extra(String message) {
        bar.setExtraMessage(message);
    }

    @Override
    public void close() {
        bar.close();
        if (terminal) {
            synchronized (err) {
                err.println();
                err.flush();
            }
        }
    }
}
