package ai.dalsi.loadtest;

import ai.dalsi.loadtest.cli.CompareCommand;
import ai.dalsi.loadtest.cli.RunCommand;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Entry point of {@code loadtest.jar}.
 *
 * <pre>
 * java -jar loadtest.jar run ...        one load run against a URL, with a summary
 * java -jar loadtest.jar compare ...    backend alone vs nginx vs the gateway, with a report
 * </pre>
 */
public final class LoadtestMain {

    private LoadtestMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command and returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            usage(err);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
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
        s.println("usage: java -jar loadtest.jar <command>");
        s.println("  run        load one URL (open loop at --rate, or --max) and print a summary");
        s.println("  compare    backend alone, nginx and the gateway under the same load; writes a report");
    }
}
