package dev.vavl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code --threads N} sizes the CPU backend of every model-running command; a bad count is one line, exit 2. */
class ThreadsOptionCliTest {
    @Test
    void theDeviceLineNamesTheThreadCount() {
        CliHarness.Run r = CliHarness.run("bench", "--device", "cpu", "--threads", "1", "--batch", "2", "--audio-frames", "4",
                "--visual-frames", "4", "--iters", "1", "--warmup", "0", "--json");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("device: cpu: requested (1 threads)"), r.toString());
    }

    @Test
    void aThreadCountBelowOneIsRefused() {
        CliHarness.Run r = CliHarness.run("bench", "--device", "cpu", "--threads", "0");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--threads must be ≥ 1, got 0"), r.toString());
        CliHarness.assertOneErrorLine(r);
    }
}
