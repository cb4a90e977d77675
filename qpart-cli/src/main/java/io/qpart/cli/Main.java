package io.qpart.cli;

import io.qpart.core.format.FormatException;
import io.qpart.core.format.Messages;
import io.qpart.onnx.model.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** Entry point of the {@code qpart} command. */
@Command(name = "qpart", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Accuracy-aware split inference at the edge: cut ONNX models, quantize the device side, measure.",
        subcommands = {InspectCommand.class, EvalCommand.class, SplitCommand.class, PackCommand.class, UnpackCommand.class,
                CalibrateCommand.class, PredictCommand.class, FidelityCommand.class, TableCommand.class, PlanCommand.class,
                ExperimentCommand.class, DemoCommand.class,
                ServeCommand.class, DeviceCommand.class, LoadtestCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    /** Exit status for a failed command (bad input, unreadable model, impossible request). */
    public static final int EXIT_FAILURE = 1;
    /** Exit status for a command line that does not parse. */
    public static final int EXIT_USAGE = 2;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit status (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("qpart: " + ex.getMessage().replace('\n', ' ').trim());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            boolean verbose = parsed.matchedOptionValue("--verbose", false);
            for (CommandLine.ParseResult sub = parsed.subcommand(); sub != null; sub = sub.subcommand()) {
                verbose |= sub.matchedOptionValue("--verbose", false);
            }
            c.getErr().println("qpart: error: " + describe(ex));
            if (verbose) {
                ex.printStackTrace(c.getErr());
            }
            c.getErr().flush();
            return EXIT_FAILURE;
        });
        int status = cl.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /** One line for the user. */
    static String describe(Throwable ex) {
        String msg = ex.getMessage();
        if (ex instanceof ModelException || ex instanceof IllegalArgumentException || ex instanceof FormatException
                || ex instanceof IllegalStateException) {
            return Messages.oneLine(msg);
        }
        if (ex instanceof UncheckedIOException u) {
            return Messages.oneLine(u.getCause().getMessage());
        }
        if (ex instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": no such file";
        }
        if (ex instanceof IOException) {
            return "I/O error: " + Messages.oneLine(msg);
        }
        if (ex instanceof OutOfMemoryError) {
            return "out of memory; run with fewer samples or a smaller batch (--batch)";
        }
        return ex.getClass().getSimpleName() + ": " + Messages.oneLine(msg);
    }


    /** Reports the build version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"qpart " + (v == null ? "development build" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
