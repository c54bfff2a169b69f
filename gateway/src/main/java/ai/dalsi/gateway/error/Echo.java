package ai.dalsi.gateway.error;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * How a bad value is repeated in an error message, on the admin port and in configuration
 * errors: short whatever the input (an error must never grow with it), control characters made
 * visible, numbers never written out in full.
 *
 * <p>Text is quoted (a quote or backslash inside gets a backslash), with control characters and
 * unpaired surrogates shown as {@code \\uXXXX}, and cut after {@value #MAX_CHARACTERS} characters
 * with the full length named: {@code "aaaa…" (5000 characters)}. A number is written plainly while that stays short
 * ({@code -0.01}, {@code 120}) and otherwise in scientific notation with at most
 * {@value #SIGNIFICANT_DIGITS} significant digits ({@code 1E+1000000}); its plain form is never
 * built, so an exponent of a billion costs nothing.
 */
public final class Echo {

    /** Characters of a text value shown before it is cut. */
    public static final int MAX_CHARACTERS = 64;
    /** Longest plain rendering of a number; longer ones are shown in scientific notation. */
    static final int MAX_PLAIN_NUMBER = 40;
    static final int SIGNIFICANT_DIGITS = 10;

    private Echo() {
    }

    /** {@code s} quoted, escaped and cut; {@code null} for null. */
    public static String text(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_CHARACTERS) + 24).append('"');
        boolean cut = appendVisible(sb, s);
        sb.append(cut ? "…\"" : "\"");
        return cut ? sb.append(" (").append(s.codePointCount(0, s.length())).append(" characters)").toString()
                : sb.toString();
    }

    /** A name (a field or parameter someone sent) escaped and cut like {@link #text}, without quotes. */
    public static String name(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_CHARACTERS) + 4);
        return appendVisible(sb, s) ? sb.append('…').toString() : sb.toString();
    }

    /** Appends at most {@value #MAX_CHARACTERS} characters of {@code s}, escaped; true when it was cut. */
    private static boolean appendVisible(StringBuilder sb, String s) {
        int shown = 0;
        int i = 0;
        while (i < s.length() && shown < MAX_CHARACTERS) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(i + 1));
                i += 2;
            } else {
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                    sb.append(String.format("\\u%04X", (int) c));
                } else {
                    sb.append(c);
                }
                i++;
            }
            shown++;
        }
        return i < s.length();
    }

    /** JSON text as it is (already escaped), cut after {@value #MAX_CHARACTERS} characters. */
    public static String json(String rendered) {
        if (rendered.length() <= MAX_CHARACTERS) {
            return rendered;
        }
        return rendered.substring(0, MAX_CHARACTERS) + "… (" + rendered.length() + " characters)";
    }

    /** {@code d} plainly when short, else in scientific notation with a few significant digits. */
    public static String number(BigDecimal d) {
        if (plainLength(d) <= MAX_PLAIN_NUMBER) {
            return d.toPlainString();
        }
        return d.round(new MathContext(SIGNIFICANT_DIGITS)).stripTrailingZeros().toString();
    }

    /** Length of {@link BigDecimal#toPlainString()} without building it (sign and point included). */
    static long plainLength(BigDecimal d) {
        long precision = d.precision();
        long scale = d.scale();
        long digits = scale <= 0 ? precision - scale : Math.max(precision, scale + 1) + 1;
        return digits + (d.signum() < 0 ? 1 : 0);
    }
}
