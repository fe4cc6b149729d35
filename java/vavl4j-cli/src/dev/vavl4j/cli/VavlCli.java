package dev.vavl4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vavl} command line. Everything that prints lives in this package. */
@Command(name = "vavl", mixinStandardHelpOptions = true, version = "vavl4j 0.1.0-SNAPSHOT",
        description = "VAVL audio-visual emotion recognition on the JVM.%n"
                + "(The launcher also takes `./vavl test`, which runs the test suite.)",
        subcommands = {DemoCommand.class, TrainCommand.class, EvaluateCommand.class, PredictCommand.class, InfoCommand.class,
                ParityCommand.class, BenchCommand.class})
public final class VavlCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line: user errors become one line on stderr and exit code 2. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new VavlCli());
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

    private static boolean isUserError(Exception ex) {
        return ex instanceof IllegalArgumentException || ex instanceof dev.vavl4j.io.FormatException
                || ex instanceof dev.vavl4j.model.ConfigException
                || ex instanceof dev.vavl4j.device.Devices.DeviceUnavailableException
                || ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException
                || ex instanceof dev.vavl4j.data.DataException || ex instanceof dev.vavl4j.train.TrainingDivergedException;
    }
}
