package ai.dalsi.gateway.proxy;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.metering.TokenUsage;

/**
 * How a proxied exchange ended, as far as metering and metrics need it: one case per thing the
 * client saw.
 *
 * <p>Every case says which backend answered (or was tried last, {@link #backend()}: its name, never a
 * key; null when none was called), how many backends were tried ({@link #attempts()}), and the time
 * from sending the request upstream to the last byte or the failure ({@link #upstreamNanos()}, -1 when
 * nothing was sent), for {@code EdgeMetrics}' upstream time.
 */
public sealed interface ProxyOutcome {

    /** Status the client received (or will receive): the backend's, the gateway's error, or 499. */
    int status();

    /**
     * Usage the backend reported, or null when it reported none (or it could not be read: body over
     * {@link ProxyConfig#usageScanLimitBytes()}, not JSON). An image answer with a {@code data} array but no
     * {@code usage} reports 0 tokens and the count of images.
     */
    TokenUsage usage();

    /** Response body bytes written (or to be written) to the client. */
    long responseBytes();

    /** From sending the request to the answering backend until its response headers, or null. */
    Integer backendLatencyMs();

    long upstreamNanos();

    String backend();

    int attempts();

    /** What went wrong, for the usage row (no secrets), or null. */
    String errorMessage();

    /**
     * The backend answered (any status) and the response ended; its last bytes wait for the
     * listener's stage.
     */
    record Completed(int status, TokenUsage usage, long responseBytes, Integer backendLatencyMs, long upstreamNanos,
            String backend, int attempts) implements ProxyOutcome {
        @Override
        public String errorMessage() {
            return null;
        }
    }

    /**
     * Nothing was written to the client: the edge answers with {@code error} (every backend refused,
     * reset or failed its TLS handshake before its headers: 502; timed out: 504; every circuit open, or
     * the proxy closed: 503).
     */
    record Unanswered(ErrorCode error, String errorMessage, long upstreamNanos, String backend, int attempts)
            implements ProxyOutcome {
        @Override
        public int status() {
            return error.status().code();
        }

        @Override
        public TokenUsage usage() {
            return null;
        }

        @Override
        public long responseBytes() {
            return 0;
        }

        @Override
        public Integer backendLatencyMs() {
            return null;
        }
    }

    /**
     * The response broke after its headers were sent (backend reset, idle or total timeout): the proxy
     * closed the client connection. {@code usage} is what the stream reported before it broke, or null.
     */
    record Broken(int status, TokenUsage usage, long responseBytes, Integer backendLatencyMs, long upstreamNanos,
            String backend, int attempts, String errorMessage) implements ProxyOutcome {
    }

    /**
     * The client went away before the response ended (status 499, nginx's convention); the backend
     * connection was closed so the backend stops generating. {@code usage} is what a stream reported
     * before, or null.
     */
    record ClientGone(TokenUsage usage, long responseBytes, Integer backendLatencyMs, long upstreamNanos,
            String backend, int attempts) implements ProxyOutcome {

        /** Status recorded when the client went away first. */
        public static final int STATUS = 499;

        @Override
        public int status() {
            return STATUS;
        }

        @Override
        public String errorMessage() {
            return "client closed the connection";
        }
    }
}
