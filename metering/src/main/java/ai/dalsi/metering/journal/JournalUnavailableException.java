package ai.dalsi.metering.journal;

import java.io.Serial;

/**
 * A record handed to {@link Journal#appendLater} could not be appended. {@link #code()} is one of
 * {@link Journal#FULL}, {@link Journal#CLOSED}, {@link Journal#NO_SEGMENT} (too many records already
 * waiting for the next segment) or {@link Journal#FAILED}. Carries no stack trace:
 * it is an expected outcome, not a bug.
 */
public final class JournalUnavailableException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final long code;

    public JournalUnavailableException(long code) {
        super(describe(code), null, false, false);
        this.code = code;
    }

    public long code() {
        return code;
    }

    /** What a {@link Journal#tryAppend} failure code means, in words. */
    public static String describe(long code) {
        if (code == Journal.FULL) {
            return "metering journal full";
        }
        if (code == Journal.CLOSED) {
            return "metering journal closed";
        }
        if (code == Journal.NO_SEGMENT) {
            return "metering journal cannot keep up (segments are not ready fast enough)";
        }
        if (code == Journal.FAILED) {
            return "metering journal cannot create segments";
        }
        return "metering journal unavailable (" + code + ")";
    }
}
