package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.metering.TokenUsage;

/**
 * How an exchange ended, for the one place that turns it into the response, the usage event and
 * the metrics ({@link ExchangeFinisher}).
 */
sealed interface Ending permits StepResult.Refusal, StepResult.Answer, Ending.UpstreamError, Ending.Proxied,
        Ending.Abandoned {

    /**
     * The proxy wrote nothing (the backend refused, broke or timed out before its headers, or the
     * proxy is closed, every circuit open): the edge answers with this error. The request went to
     * the backend (or was meant for it), so its usage row is kept like any proxied request's, with
     * the backend tried last and how many were tried.
     */
    record UpstreamError(ErrorCode code, String message, Integer backendLatencyMs, String backend, int attempts)
            implements Ending {
    }

    /**
     * The proxy wrote the backend's response (or what it could of it).
     *
     * @param status           status the client received; 499 when the client went away first
     * @param usage            usage the backend reported, or null
     * @param responseBytes    response body bytes written
     * @param backendLatencyMs request sent to response headers, or null
     * @param clientAborted    the client went away before the end
     * @param errorMessage     what went wrong, or null
     * @param backend          the backend that answered (or was tried last), by its base URL
     * @param attempts         backends tried
     */
    record Proxied(int status, TokenUsage usage, long responseBytes, Integer backendLatencyMs,
            boolean clientAborted, String errorMessage, String backend, int attempts) implements Ending {
    }

    /** The client went away before the edge answered (metered as 499 for a known key). */
    enum Abandoned implements Ending { INSTANCE }
}
