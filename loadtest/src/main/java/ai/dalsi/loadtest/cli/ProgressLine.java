package ai.dalsi.loadtest.cli;

import ai.dalsi.loadtest.gen.LiveStats;
import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The once-a-second progress line ({@code elapsed, rate, errors, p99 so far}), redrawn in place
 * on a terminal; silent when the output is not a terminal or when asked to be quiet, so logs and
 * CI output stay clean.
 */
public final class ProgressLine implements Consumer<LiveStats> {

    private final PrintStream out;
    private final boolean enabled;
    private final String label;
    private boolean drawn;

    public ProgressLine(PrintStream out, boolean enabled, String label) {
        this.out = out;
        this.enabled = enabled;
        this.label = label;
    }

    /** Whether the JVM's standard streams are attached to a terminal. */
    public static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        // Since JDK 22 System.console() exists even when redirected; isTerminal() tells the truth there.
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    @Override
    public synchronized void accept(LiveStats s) {
        if (!enabled) {
            return;
        }
        out.print("\r" + format(label, s) + "   ");
        out.flush();
        drawn = true;
    }

    /** Ends the line, if one was drawn. */
    public synchronized void close() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }

    static String format(String label, LiveStats s) {
        return String.format(Locale.ROOT, "%s%5.1fs  %8.0f req/s  answered %d  non-2xx %d  failed %d  p99 %s",
                label.isEmpty() ? "" : label + "  ", s.elapsed().toMillis() / 1000.0, s.rate(), s.completed(),
                s.non2xx(), s.failed(), Summary.micros(s.p99Micros()));
    }
}
