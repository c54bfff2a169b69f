package ai.dalsi.gateway.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them in config: a whole number and a unit ({@code 250ms},
 * {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}), or ISO-8601 ({@code PT5S}). A bare number is
 * refused: "timeout: 30" could mean seconds or milliseconds, and guessing wrong is a silent outage.
 * So is anything beyond {@link #MAX} (no setting needs more, and {@code 999999999999d} would
 * overflow every clock it reaches).
 */
public final class Durations {

    /** The longest duration read. */
    public static final Duration MAX = Duration.ofDays(365);

    /** What an error message says was expected. */
    public static final String EXPECTED = "a duration such as 250ms, 5s, 2m, 1h, at most 365d";

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /** The duration the text means, or null if it is not one (or longer than {@link #MAX}). */
    public static Duration parse(String text) {
        Duration d = read(text);
        return d == null || d.compareTo(MAX) > 0 ? null : d;
    }

    private static Duration read(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = WITH_UNIT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        if (t.startsWith("pt") || t.startsWith("p")) {
            try {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                return d.isNegative() ? null : d;
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /** The shortest form {@link #parse} reads back: {@code 250ms}, {@code 5s}, {@code 2m}. */
    public static String format(Duration d) {
        if (d == null) {
            return "null";
        }
        long ms = d.toMillis();
        if (ms % 1000 != 0 || ms == 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
