package dev.vavl4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vavl} command line. Everything that prints lives in this package. */
@Command(name = "vavl", mixinStandardHelpOptions = true, version = "vavl4j 0.1.0-SNAPSHOT",
        description = "VAVL audio-visual emotion recognition on the JVM.%n"
                + "(The launcher also takes `./vavl test`, which runs the test suite.)",
        subcommands = {DemoCommand.class, FeaturesCommand.class, TrainCommand.class, EvaluateCommand.class, PredictCommand.class, InfoCommand.class,
                CrossvalCommand.class, ParityCommand.class, BenchCommand.class, ExportCommand.class, BaselineCommand.class})
public final class VavlCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The library reports the device it chose (and other INFO) through System.Logger; the commands print
     * that themselves, so the CLI shows the library's warnings only, unless VAVL_DEBUG is set. Held in a
     * field because java.util.logging keeps loggers weakly and would forget the level.
     */
    private static final java.util.logging.Logger LIBRARY_LOG = java.util.logging.Logger.getLogger("dev.vavl4j");

    public static void main(String[] args) {
        if (System.getenv("VAVL_DEBUG") == null) LIBRARY_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line: user errors become one line on stderr and exit code 2, and so does every
     * unknown subcommand or option (picocli's message and its "Did you mean" suggestions).
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new VavlCli());
        cl.setExecutionStrategy(VavlCli::rejectUnmatchedThenRun);
        CommandLine.IParameterExceptionHandler usageError = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, args) -> usageError.handleParseException(unknownFirst(ex), args));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            String what = cmd.getCommandName();
            if (isUserError(ex)) {
                String msg = ex instanceof java.io.IOException io ? IoErrors.describe(io)
                        : ex instanceof java.io.UncheckedIOException u ? IoErrors.describe(u.getCause()) : ex.getMessage();
                cmd.getErr().println("vavl " + what + ": " + msg);
                return 2;
            }
            cmd.getErr().println("vavl " + what + ": internal error: " + ex);
            if (System.getenv("VAVL_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            else cmd.getErr().println("(set VAVL_DEBUG=1 for the stack trace)");
            return 3;
        });
        return cl;
    }

    /**
     * picocli skips its check for unknown arguments when help or the version is asked for, so
     * {@code vavl featurs --help} printed the usage and exited 0; here an unknown subcommand or option is a
     * usage error however it is combined.
     */
    private static int rejectUnmatchedThenRun(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) {
            if (!r.unmatched().isEmpty()) throw new CommandLine.UnmatchedArgumentException(r.commandSpec().commandLine(), r.unmatched());
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /**
     * A mistyped option also leaves the option it was meant to be missing, and picocli reports the missing
     * one ("Missing required options: ..."), which hides the typo: report the unknown argument instead.
     */
    private static CommandLine.ParameterException unknownFirst(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.MissingParameterException) {
            CommandLine.ParseResult r = ex.getCommandLine().getParseResult();
            if (r != null && !r.unmatched().isEmpty()) return new CommandLine.UnmatchedArgumentException(ex.getCommandLine(), r.unmatched());
        }
        return ex;
    }

    /**
     * A user error is one vavl4j reports for its caller to act on ({@link dev.vavl4j.VavlException}) or a file
     * system failure; anything else (a {@link dev.vavl4j.backend.ShapeException} from an op's shape check, or
     * any other {@code IllegalArgumentException}, say) is a bug in vavl4j and is reported as an internal error
     * (exit 3), never as bad input.
     */
    private static boolean isUserError(Exception ex) {
        return ex instanceof dev.vavl4j.VavlException
                || ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException;
    }
}
