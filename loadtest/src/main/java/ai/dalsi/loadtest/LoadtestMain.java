package ai.dalsi.loadtest;

import ai.dalsi.loadtest.backend.BackendCommand;
import ai.dalsi.loadtest.cli.CompareCommand;
import ai.dalsi.loadtest.cli.RunCommand;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Entry point of {@code loadtest.jar}: picks the command and hands it the arguments after the
 * command name. Each command builds what it needs.
 *
 * <pre>
 * java -jar loadtest.jar backend [options]   run the simulated model backend until stopped
 * java -jar loadtest.jar run ...             one load run against a URL, with a summary
 * java -jar loadtest.jar compare ...         backend alone vs nginx vs the gateway, with a report
 * </pre>
 */
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
        if (args.length == 0) {
            usage(err);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "backend" -> new BackendCommand(out, err).run(rest);
            case "run" -> new RunCommand(out, err).run(rest);
            case "compare" -> new CompareCommand(out, err).run(rest);
            case "help", "--help", "-h" -> {
                usage(out);
                yield 0;
            }
            default -> {
                err.println("unknown command: " + args[0]);
                usage(err);
                yield 2;
            }
        };
    }

    private static void usage(PrintStream s) {
        s.println("usage: java -jar loadtest.jar <command> [options]");
        s.println("  backend    run the simulated OpenAI-compatible model backend until stopped (--help for its options)");
        s.println("  run        load one URL (open loop at --rate, or --max) and print a summary");
        s.println("  compare    backend alone, nginx and the gateway under the same load; writes a report");
    }
}
