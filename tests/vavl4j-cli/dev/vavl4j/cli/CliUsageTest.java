package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Exit codes and messages of the command line itself: unknown subcommands and options, help, option checks. */
class CliUsageTest {
    @Test
    void anUnknownSubcommandExits2WithASuggestion() {
        CliHarness.Run r = CliHarness.run("featurs");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("'featurs'"), r.toString());
        assertTrue(r.err().contains("Did you mean"), r.toString());
    }

    /** picocli skips its unknown-argument check when help or the version is asked for; these exited 0. */
    @Test
    void anUnknownSubcommandOrOptionBesideHelpOrVersionStillExits2() {
        String[][] cases = {{"featurs", "--help"}, {"--help", "featurs"}, {"featurs", "-V"}, {"train", "--bogus", "--help"}};
        String[] unknown = {"featurs", "featurs", "featurs", "--bogus"};
        for (int i = 0; i < cases.length; i++) {
            CliHarness.Run r = CliHarness.run(cases[i]);
            String what = String.join(" ", cases[i]) + "\n" + r;
            assertEquals(2, r.exit(), what);
            assertEquals("", r.out(), "no usage or version on stdout: " + what);
            assertTrue(r.err().contains("'" + unknown[i] + "'"), what);
        }
    }

    @Test
    void anUnknownOptionExits2NamingIt() {
        CliHarness.Run top = CliHarness.run("--bogus");
        assertEquals(2, top.exit(), top.toString());
        assertTrue(top.err().contains("Unknown option: '--bogus'"), top.toString());
        // with required options missing too, the unknown one is what is named (it is likely a typo of one of them)
        CliHarness.Run train = CliHarness.run("train", "--manifset", "m.csv");
        assertEquals(2, train.exit(), train.toString());
        assertTrue(train.err().contains("'--manifset'"), train.toString());
        assertFalse(train.err().contains("Missing required"), train.toString());
        CliHarness.Run predict = CliHarness.run("predict", "--model", "m", "--audio", "a.npy", "--visaul", "v.npy");
        assertEquals(2, predict.exit(), predict.toString());
        assertTrue(predict.err().contains("'--visaul'"), predict.toString());
    }

    @Test
    void helpAndNoArgumentsStillExit0() {
        assertEquals(0, CliHarness.run("--help").exit());
        assertEquals(0, CliHarness.run("train", "--help").exit());
        CliHarness.Run none = CliHarness.run();
        assertEquals(0, none.exit(), none.toString());
        assertTrue(none.out().contains("Commands:"), none.toString());
    }

    @Test
    void trainHelpShowsTheLabelsOptionCleanly() {
        CliHarness.Run r = CliHarness.run("train", "--help");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("--labels=NAME[,NAME...]"), r.out());
        assertFalse(r.out().contains("a,b,..."), "the old garbled label:\n" + r.out());
        assertFalse(r.out().contains("[--labels="), "no repeated form in the synopsis:\n" + r.out());
    }

    @Test
    void benchRefusesABatchOfOneWhichWouldTimeASkippedTrainingStep() {
        CliHarness.Run r = CliHarness.run("bench", "--batch", "1", "--device", "cpu");
        assertUserError(r, "bench", "--batch 1", "at least 2", "skipped");
        CliHarness.assertOneErrorLine(r);
        assertEquals("", r.out(), "nothing timed:\n" + r);
        // two passes that check (and fails later, at --tf32 on the CPU, before anything is timed)
        CliHarness.Run two = CliHarness.run("bench", "--batch", "2", "--tf32", "--device", "cpu");
        assertUserError(two, "bench", "--tf32");
    }
}
