package ai.dalsi.loadtest.cli;

import java.io.PrintStream;

/** {@code loadtest.jar compare}: placeholder until the arms exist. */
public final class CompareCommand {
    private final PrintStream err;

    public CompareCommand(PrintStream out, PrintStream err) {
        this.err = err;
    }

    public int run(String[] args) {
        err.println("compare: not yet");
        return 2;
    }
}
