package ai.dalsi.gateway.metrics;

import ai.dalsi.gateway.error.ErrorCode;

/**
 * What the edge reports to metrics, without knowing the metrics library. Implementations must be
 * cheap and non-blocking: they are called on the event loop for every request. Tags never carry a
 * key, user id or IP.
 */
public interface EdgeMetrics {

    /**
     * A request ended.
     *
     * @param product       {@code ai.chat}, {@code ai.code}, {@code ai.image}, or {@code none}
     * @param status        status the client received
     * @param tier          key tier, or {@code none} when no key was known
     * @param totalNanos    from the first byte received to the last byte sent
     * @param upstreamNanos time spent waiting on the backend (request sent to last byte received), or -1 if
     *                      the request never went upstream; gateway-added latency is the difference
     */
    void requestCompleted(String product, int status, String tier, long totalNanos, long upstreamNanos);

    /** The edge refused a request itself, for this reason. */
    void rejected(ErrorCode reason);

    /**
     * A client went away before its request was read in full: {@code head} (during the request
     * line or headers) or {@code body}. Counted rather than logged: hang-ups are the client's
     * business, and a log line per dropped upload would let anyone flood the logs.
     */
    default void clientDisconnected(String phase) {
    }

    /** A connection was closed at accept because its address already held the most connections allowed. */
    default void connectionRefused() {
    }

    /** Metrics that go nowhere, for tests and tools. */
    EdgeMetrics NOOP = new EdgeMetrics() {
        @Override
        public void requestCompleted(String product, int status, String tier, long totalNanos, long upstreamNanos) {
        }

        @Override
        public void rejected(ErrorCode reason) {
        }
    };
}
