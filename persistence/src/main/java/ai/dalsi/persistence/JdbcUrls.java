package ai.dalsi.persistence;

import java.util.regex.Pattern;

/** Helpers for showing JDBC URLs in logs and error messages without their secrets. */
public final class JdbcUrls {

    // password=... as a query parameter, and user:password@ in the authority part.
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern USERINFO = Pattern.compile("(//[^/@:]*:)[^/@]*@");

    private JdbcUrls() {
    }

    /** The URL with every password replaced by {@code ***}. */
    public static String masked(String jdbcUrl) {
        if (jdbcUrl == null) {
            return "null";
        }
        String s = PASSWORD_PARAM.matcher(jdbcUrl).replaceAll("$1***");
        return USERINFO.matcher(s).replaceAll("$1***@");
    }

    /** Host and port of a {@code jdbc:postgresql://host:port/db} URL, for start-up summaries. */
    public static String hostAndPort(String jdbcUrl) {
        String s = jdbcUrl.replaceFirst("^jdbc:postgresql://", "");
        int at = s.indexOf('@');
        if (at >= 0) {
            s = s.substring(at + 1);
        }
        int end = s.length();
        for (char c : new char[] {'/', '?'}) {
            int i = s.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return s.substring(0, end);
    }
}
