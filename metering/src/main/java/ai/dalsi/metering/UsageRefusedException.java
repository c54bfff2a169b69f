package ai.dalsi.metering;

import java.io.Serial;

/**
 * How a {@link UsageSink#accept} stage completes when the event was not taken: the edge answers
 * 503 ({@code service_unavailable}) instead of serving a request it could not meter. Carries no
 * stack trace: it is an expected outcome on the hot path.
 */
public final class UsageRefusedException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Why the event was refused. */
    public enum Reason {
        /** The journal reached its bound (PostgreSQL has been unreachable or slow for long). */
        JOURNAL_FULL,
        /** The ledger is closed or shutting down. */
        CLOSED,
        /** The journal cannot store events (e.g. the disk is full) or the event could not be encoded. */
        UNAVAILABLE
    }

    private final Reason reason;

    public UsageRefusedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
