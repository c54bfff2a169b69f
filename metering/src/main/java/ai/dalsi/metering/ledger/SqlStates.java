package ai.dalsi.metering.ledger;

import java.sql.SQLException;

/** Reading the SQLSTATE of a failure, however jOOQ, HikariCP and the driver wrapped it. */
final class SqlStates {

    static final String UNIQUE_VIOLATION = "23505";
    static final String UNDEFINED_TABLE = "42P01";

    private SqlStates() {
    }

    /** The first SQLSTATE in the cause chain (a batch's failing statement first), or null. */
    static String of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s) {
                SQLException next = s.getNextException();
                if (next != null && next.getSQLState() != null) {
                    return next.getSQLState();
                }
                if (s.getSQLState() != null) {
                    return s.getSQLState();
                }
            }
        }
        return null;
    }

    /**
     * Whether retrying the same statement can never succeed: a data exception (class 22) or an
     * integrity violation (class 23). Everything else (connection failures, the server shutting
     * down or out of resources, deadlocks, serialization failures, timeouts, even a missing table
     * an operator may still create) may pass.
     */
    static boolean permanent(Throwable e) {
        String state = of(e);
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
}
