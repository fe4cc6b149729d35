package dev.vavl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.ConfigException;
import dev.vavl4j.InvalidInputException;
import dev.vavl4j.backend.ShapeException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The one boundary between user errors and bugs: a {@link dev.vavl4j.VavlException} (or an I/O failure) is
 * the user's to fix (exit 2, one line); a {@link ShapeException} from a backend op's shape check, or any
 * other exception, is a bug in vavl4j (exit 3, "internal error: ...", the stack trace only with VAVL_DEBUG).
 */
class ErrorBoundaryCliTest {
    /** A subcommand that throws what it is given, under the real command line's error handling. */
    @CommandLine.Command(name = "boom")
    static final class Boom implements Runnable {
        static RuntimeException toThrow;

        @Override
        public void run() {
            throw toThrow;
        }
    }

    private static CliHarness.Run runBoom(RuntimeException e) {
        Boom.toThrow = e;
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = VavlCli.commandLine();
        cl.addSubcommand("boom", new Boom());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new CliHarness.Run(cl.execute("boom"), out.toString(), err.toString());
    }

    @Test
    void aShapeExceptionIsAnInternalError() {
        CliHarness.Run r = runBoom(new ShapeException("size mismatch: CpuTensor[3] vs CpuTensor[4]"));
        assertEquals(3, r.exit(), r.toString());
        assertTrue(r.err().startsWith("vavl boom: internal error: dev.vavl4j.backend.ShapeException: size mismatch"), r.toString());
        if (System.getenv("VAVL_DEBUG") == null) assertTrue(r.err().contains("(set VAVL_DEBUG=1 for the stack trace)"), r.toString());
    }

    @Test
    void aPlainIllegalArgumentExceptionIsAnInternalErrorToo() {
        CliHarness.Run r = runBoom(new IllegalArgumentException("negative count"));
        assertEquals(3, r.exit(), r.toString());
        assertTrue(r.err().contains("internal error: java.lang.IllegalArgumentException: negative count"), r.toString());
    }

    @Test
    void vavlExceptionsAreUserErrors() {
        for (RuntimeException e : new RuntimeException[] {new InvalidInputException("bad manifest m.csv"),
                new ConfigException("config key 'lr': -1 is not positive")}) {
            CliHarness.Run r = runBoom(e);
            assertEquals(2, r.exit(), r.toString());
            assertEquals("vavl boom: " + e.getMessage(), r.err().strip(), r.toString());
            CliHarness.assertNoStackTrace(r.err());
        }
    }
}
