package ai.dalsi.gateway.proxy;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.metering.TokenUsage;

/**
 * How a proxied exchange ended, as far as metering and metrics need it.
 *
 * <p>The cases, by what the client sees:
 * <ul>
 *   <li>the backend answered (any status) and the response ended: {@code status} is the backend's,
 *       {@code gatewayError} and {@code errorMessage} are null; the last bytes wait for the listener's stage;</li>
 *   <li>nothing could be written (backend refused, reset or closed before its headers: 502; connect,
 *       first-byte or total timeout before headers: 504; proxy closed: 503): {@code gatewayError} says which
 *       error the edge must answer with, {@code status} is its status, {@code errorMessage} says why;</li>
 *   <li>the response broke after its headers were sent (backend reset, idle or total timeout): the proxy closed
 *       the client connection; {@code status} is the status sent, {@code errorMessage} says why;</li>
 *   <li>the client went away first: {@code status} 499, {@code clientAborted}; the backend connection was
 *       closed so the backend stops generating.</li>
 * </ul>
 *
 * @param status            status the client received (or will receive); 499 when the client went away first
 * @param usage             usage the backend reported, or null when it reported none (or it could not be read:
 *                          body over {@link ProxyConfig#usageScanLimitBytes()}, not JSON). An images response
 *                          with a {@code data} array but no {@code usage} object reports 0 tokens and the count
 *                          of images.
 * @param responseBytes     response body bytes written (or to be written) to the client
 * @param backendLatencyMs  from sending the request upstream until the backend's response headers, or null
 * @param clientAborted     whether the client went away before the response ended
 * @param gatewayError      non-null when the proxy wrote nothing and the edge must answer with this error
 *                          (backend refused or reset before headers: 502; timed out: 504)
 * @param errorMessage      what went wrong, for the usage row (no secrets), or null
 * @param upstreamNanos     from sending the request upstream to the backend's last byte (or the failure), for
 *                          {@code EdgeMetrics}' upstream time; -1 if the request was never sent
 */
public record ProxyOutcome(
        int status,
        TokenUsage usage,
        long responseBytes,
        Integer backendLatencyMs,
        boolean clientAborted,
        ErrorCode gatewayError,
        String errorMessage,
        long upstreamNanos) {

    /** An outcome without the upstream time (-1). */
    public ProxyOutcome(int status, TokenUsage usage, long responseBytes, Integer backendLatencyMs,
                        boolean clientAborted, ErrorCode gatewayError, String errorMessage) {
        this(status, usage, responseBytes, backendLatencyMs, clientAborted, gatewayError, errorMessage, -1);
    }
}
