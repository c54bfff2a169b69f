package ai.dalsi.gateway.health;

import java.time.Duration;

/**
 * One thing {@code /health/ready} reports on. Checks may block (a {@code SELECT 1}, a TCP
 * connect): they run on their own threads, never on an event loop, and {@link Readiness} stops
 * waiting for them after its timeout.
 */
public interface HealthCheck {

    /** Name in the report, e.g. {@code database}. */
    String name();

    /**
     * Whether the node is unready while this check is down. The public port and the metering
     * sink are; PostgreSQL and the backend are reported but not required, because the key cache
     * and the metering journal keep serving through a database outage, and a load balancer that
     * pulled every node on a database blip would turn it into a full outage.
     */
    boolean required();

    /** The current state; may take up to {@code timeout}. */
    Result check(Duration timeout);

    /**
     * A check's state and a short human-readable detail (no secrets).
     *
     * @param degraded up, but working in a lesser way (limits enforced per node while Redis is away):
     *                 the node serves, and the report says {@code degraded} instead of {@code ready}
     */
    record Result(boolean up, String detail, boolean degraded) {

        public Result(boolean up, String detail) {
            this(up, detail, false);
        }

        public static Result up(String detail) {
            return new Result(true, detail);
        }

        public static Result down(String detail) {
            return new Result(false, detail);
        }

        public static Result degraded(String detail) {
            return new Result(true, detail, true);
        }
    }
}
