package ai.dalsi.loadtest.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the form {@code --name value} and {@code --flag}, with the option name
 * in every error. Which names are flags is declared up front, so a missing value is an error
 * rather than the next option silently taken as one.
 */
public final class Args {

    private final Map<String, List<String>> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final Set<String> used = new HashSet<>();

    private Args() {
    }

    /**
     * Parses the arguments.
     *
     * @param flagNames   options without a value ({@code --max}, {@code --quiet})
     * @param valueNames  options with a value
     * @throws IllegalArgumentException naming an unknown option or one without its value
     */
    public static Args parse(String[] args, Set<String> flagNames, Set<String> valueNames) {
        Args a = new Args();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            if (flagNames.contains(name) && inline == null) {
                a.flags.add(name);
            } else if (valueNames.contains(name)) {
                String value = inline;
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(name + ": missing value");
                    }
                    value = args[++i];
                }
                a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new IllegalArgumentException("unknown option: " + name);
            }
        }
        return a;
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The last value given, or the fallback. */
    public String string(String name, String fallback) {
        List<String> v = values.get(name);
        return v == null ? fallback : v.get(v.size() - 1);
    }

    /** Every value given for a repeatable option. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public String required(String name) {
        String v = string(name, null);
        if (v == null) {
            throw new IllegalArgumentException(name + ": required");
        }
        return v;
    }

    public int integer(String name, int fallback) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + v + "' (expected: a whole number)");
        }
    }

    public long longValue(String name, long fallback) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + v + "' (expected: a whole number)");
        }
    }

    public double decimal(String name, double fallback) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + v + "' (expected: a number)");
        }
    }

    public Duration duration(String name, Duration fallback) {
        String v = string(name, null);
        return v == null ? fallback : parseDuration(name, v);
    }

    /** {@code 250ms}, {@code 20s}, {@code 2m}, {@code 1h}, or a plain number of seconds. */
    public static Duration parseDuration(String name, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            }
            if (t.endsWith("m")) {
                return Duration.ofSeconds(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60));
            }
            if (t.endsWith("h")) {
                return Duration.ofSeconds(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 3600));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + text + "' (expected: a duration like 500ms, 20s, 2m)");
        }
    }
}
