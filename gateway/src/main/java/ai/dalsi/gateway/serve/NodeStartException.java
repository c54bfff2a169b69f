package ai.dalsi.gateway.serve;

import java.io.Serial;

/**
 * A gateway node could not start: the message is one line naming the cause and, where it helps,
 * the setting or environment variable to change (a port in use, an unreachable database). The
 * commands print it and exit 1, without a stack trace.
 */
public final class NodeStartException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    public NodeStartException(String message, Throwable cause) {
        super(message.replaceAll("\\s*\\R\\s*", " "), cause);
    }
}
