package ai.dalsi.metering;

import java.util.Arrays;

/**
 * Entry point of the metering benchmarks (the {@code bench} Maven profile): {@code writer} or
 * {@code journal}, then that benchmark's arguments.
 */
public final class MeteringBenchmark {

    private MeteringBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "writer" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (which) {
            case "writer" -> ai.dalsi.metering.ledger.WriterBenchmark.main(rest);
            case "journal" -> ai.dalsi.metering.ledger.JournalBenchmark.main(rest);
            default -> {
                System.err.println("unknown benchmark: " + which + " (expected: writer or journal)");
                System.exit(2);
            }
        }
    }
}
