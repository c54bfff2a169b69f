package ai.dalsi.persistence;

import java.io.Serial;

/** PostgreSQL could not be reached. The message names the masked URL and the root cause. */
public final class DatabaseUnavailableException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Wraps a connection failure with a one-line message. */
    public static DatabaseUnavailableException of(String jdbcUrl, Throwable cause) {
        return new DatabaseUnavailableException(
                "cannot connect to " + JdbcUrls.masked(jdbcUrl) + ": " + rootMessage(cause), cause);
    }

    /** The innermost cause's message, on one line. */
    public static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (root instanceof java.net.UnknownHostException) {
            msg = "unknown host " + msg;
        }
        return msg.replaceAll("\\s+", " ").trim();
    }
}
