package org.kpff.job.cli;

import org.kpff.job.config.Suggestions;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The job's main class: {@code kpff <run|search|summarize|equivalence|plan|inspect|datagen> [options]}, each with
 * {@code --help}.
 */
@Command(name = "kpff", mixinStandardHelpOptions = true, version = "kpff 0.1.0",
        description = "Kronecker Product Feature Fusion cross-validation on Spark.",
        subcommands = {RunCommand.class, SearchCommand.class, SummarizeCommand.class, EquivalenceCommand.class,
            PlanCommand.class, InspectCommand.class, DatagenCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: run, search, summarize, "
                + "equivalence, plan, inspect or datagen (see --help).");
    }

    /** Runs the CLI and exits with its status. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit status (0 ok, 1 failure, 2 usage error) without exiting. */
    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with the given output and error writers and returns its exit status. */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        HelpWrap.install(cli);
        cli.setOut(out);
        cli.setErr(err);
        CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, parsed) -> {
            // A misspelt subcommand ("rnu"): name the nearest one instead of printing the whole usage.
            if (e instanceof CommandLine.UnmatchedArgumentException u && e.getCommandLine() == cli
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                String word = u.getUnmatched().get(0);
                java.util.List<String> names = cli.getSubcommands().keySet().stream().filter(n -> !n.equals("help"))
                        .toList();
                cli.getErr().println("error: '" + word + "' is not a subcommand" + Suggestions.closest(word, names)
                        .map(n -> "; did you mean '" + n + "'?").orElse(".") + " Subcommands: "
                        + String.join(", ", names) + " (see --help).");
                return 2;
            }
            return usage.handleParseException(e, parsed);
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + message(e));
            return 1;
        });
        try {
            return cli.execute(args);
        } finally {
            // Commands print whole reports with print(), which an auto-flushing PrintWriter does not flush.
            out.flush();
            err.flush();
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
