package ai.dalsi.loadtest;

import ai.dalsi.gateway.cli.Cli;
import ai.dalsi.loadtest.backend.BackendCommand;
import ai.dalsi.loadtest.cli.CompareCommand;
import ai.dalsi.loadtest.cli.RunCommand;
import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code loadtest.jar} ({@code bin/loadtest}): picocli picks the command; each
 * command builds what it needs. {@code bin/loadtest --help} lists them, {@code bin/loadtest
 * COMMAND --help} explains one.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        scope = CommandLine.ScopeType.INHERIT, synopsisSubcommandLabel = "COMMAND",
        description = "Load generator, benchmark and simulated model backend of the Dalsi AI API gateway.",
        commandListHeading = "%nCommands:%n")
public final class LoadtestMain {

    /** Returned by a command that keeps running (a server): the JVM must not exit. */
    public static final int KEEP_RUNNING = Integer.MIN_VALUE;

    private LoadtestMain() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != KEEP_RUNNING) {
            System.exit(code);
        }
    }

    /** Runs a command and returns its exit code, or {@link #KEEP_RUNNING}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return commandLine(out, err).execute(args);
    }

    /** Every command of the jar, as picocli runs them (a test walks it to ask each one for --help). */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        return Cli.commandLine(new LoadtestMain(), out, err,
                new BackendCommand(out, err),
                new RunCommand(out, err),
                new CompareCommand(out, err),
                new CommandLine.HelpCommand());
    }
}
