package dev.vavl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.train.EpochSummary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress bars: how rates read, and that a terminal shows the epoch table without finished bars in it. */
class ProgressTest {
    private static final Pattern RATE = Pattern.compile("(\\S+) batch/s");

    @TempDir
    Path tmp;

    @Test
    void rateHasALeadingDigitAndAPrecisionThatSuitsItsSize() {
        assertEquals("0.2", Progress.rate(0.2));
        assertEquals("0.48", Progress.rate(0.476));
        assertEquals("0.043", Progress.rate(0.0431));
        assertEquals("0.0083", Progress.rate(1 / 120.0));
        assertEquals("1.0", Progress.rate(0.999));
        assertEquals("2.3", Progress.rate(2.345));
        assertEquals("45.1", Progress.rate(45.06));
        assertEquals("153", Progress.rate(153.4));
    }

    /** One batch of four in about 2 s: 0.5 batch/s, which the library's "#.0" printed as ".5". */
    @Test
    void aSlowBarShowsItsRateWithALeadingDigit() throws InterruptedException {
        StringWriter log = new StringWriter();
        try (Progress bar = Progress.start(new PrintWriter(log, true), "epoch 1/1", 4, "batch", false)) {
            Thread.sleep(2100);
            bar.stepTo(1);
        }
        List<String> rates = new ArrayList<>();
        for (String line : log.toString().lines().toList()) {
            Matcher m = RATE.matcher(line);
            if (m.find()) rates.add(m.group(1));
        }
        assertFalse(rates.isEmpty(), "a line with a rate:\n" + log);
        String last = rates.getLast();
        assertTrue(last.matches("0\\.\\d{2}"), "about 0.48 with its leading 0: " + last + "\n" + log);
        double r = Double.parseDouble(last);
        assertTrue(r > 0.3 && r <= 0.48, "1 batch in at least 2.1 s, measured to the millisecond: " + last);
    }

    @Test
    void inALogTheFinalStateIsALine() {
        StringWriter log = new StringWriter();
        try (Progress bar = Progress.start(new PrintWriter(log, true), "dev 1/1", 5, "utt", false)) {
            bar.stepTo(5);
        }
        List<String> lines = log.toString().lines().toList();
        assertTrue(lines.getLast().contains("100%") && lines.getLast().contains("5/5 utt"), log.toString());
        assertTrue(log.toString().endsWith(System.lineSeparator()), "the line is ended");
    }

    @Test
    void onATerminalAFinishedBarIsErased() {
        StringWriter tty = new StringWriter();
        try (Progress bar = Progress.start(new PrintWriter(tty, true), "features", 3, "utt", true)) {
            bar.stepTo(3);
        }
        assertTrue(tty.toString().contains("3/3 utt"), "the bar was drawn: " + tty);
        assertEquals(List.of(), screen(tty.toString()), "nothing left on the screen:\n" + tty);
    }

    /**
     * A training run on a terminal, stdout and stderr on one screen: the epoch table must read as a table,
     * each row on its own line and no finished bar between the rows.
     */
    @Test
    void onATerminalTheEpochTableHasNoBarsInIt() {
        StringWriter tty = new StringWriter();
        PrintWriter out = new PrintWriter(tty, true), err = new PrintWriter(tty, true);
        List<EpochSummary> history = new ArrayList<>();
        try (TrainProgress p = new TrainProgress(out, err, tmp, true)) {
            for (int i = 1; i <= 4; i++) p.onLoading(i, 4);
            p.onData(3, 1, 2, List.of());
            p.onStart(1, 2, 3, "tiny");
            for (int e = 1; e <= 2; e++) {
                for (int b = 1; b <= 3; b++) p.onBatch(e, b, 3);
                p.onEvaluating(e, 2);
                p.onEvaluated(2);
                EpochSummary s = new EpochSummary(e, 1.0 / e, 1.1 / e, 0.9 / e, 0.8 / e, 0.5, true, 0.1);
                history.add(s);
                p.onEpoch(s, List.copyOf(history));
            }
            p.onFinish("finished 2 epochs", 2, 0.4);
        }
        out.println("finished 2 epochs; best epoch 2");
        List<String> screen = screen(tty.toString());
        assertEquals(6, screen.size(), "data, model, header, two rows and the summary, nothing else:\n" + String.join("\n", screen));
        assertTrue(screen.get(0).startsWith("data: 3 training utterances"), String.join("\n", screen));
        assertEquals("model: tiny", screen.get(1));
        assertTrue(screen.get(2).matches("epoch\\s+audio_loss.*time"), screen.get(2));
        assertTrue(screen.get(3).matches("\\s+1\\s+1\\.0000\\s+1\\.1000.*\\* best"), screen.get(3));
        assertTrue(screen.get(4).matches("\\s+2\\s+0\\.5000\\s+0\\.5500.*\\* best"), screen.get(4));
        assertEquals("finished 2 epochs; best epoch 2", screen.getLast());
    }

    /**
     * What a terminal shows for {@code text}: '\r' returns to the start of the line, '\n' starts a new one,
     * other characters overwrite; trailing spaces and empty last lines are dropped.
     */
    static List<String> screen(String text) {
        List<StringBuilder> lines = new ArrayList<>(List.of(new StringBuilder()));
        int col = 0;
        for (char c : text.toCharArray()) {
            if (c == '\r') {
                col = 0;
            } else if (c == '\n') {
                lines.add(new StringBuilder());
                col = 0;
            } else {
                StringBuilder l = lines.getLast();
                if (col < l.length()) l.setCharAt(col, c);
                else l.append(c);
                col++;
            }
        }
        List<String> out = new ArrayList<>(lines.stream().map(l -> l.toString().stripTrailing()).toList());
        while (!out.isEmpty() && out.getLast().isEmpty()) out.removeLast();
        return out;
    }
}
