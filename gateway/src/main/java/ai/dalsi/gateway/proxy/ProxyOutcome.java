package ai.dalsi.gateway.proxy;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.metering.TokenUsage;

/**
 * How a proxied exchange ended, as far as metering and metrics need it.
 *
 * @param status            status the client received (or will receive); 499 when the client went away first
 * @param usage             usage the backend reported, or null when it reported none
 * @param responseBytes     response body bytes written (or to be written) to the client
 * @param backendLatencyMs  from sending the request upstream until the backend's response headers, or null
 * @param clientAborted     whether the client went away before the response ended
 * @param gatewayError      non-null when the proxy wrote nothing and the edge must answer with this error
 *                          (backend refused or reset before headers: 502; timed out: 504)
 * @param errorMessage      what went wrong, for the usage row (no secrets), or null
 */
public record ProxyOutcome(
        int status,
        TokenUsage usage,
        long responseBytes,
        Integer backendLatencyMs,
        boolean clientAborted,
        ErrorCode gatewayError,
        String errorMessage) {
}
