package ai.dalsi.gateway.error;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Every error the gateway itself makes, with its HTTP status, OpenAI error {@code type} and
 * {@code code}: the table in docs/ARCHITECTURE.md. Rendered as OpenAI's error JSON
 * {@code {"error":{"message":...,"type":...,"param":null,"code":...}}}.
 */
public enum ErrorCode {
    INVALID_API_KEY(401, "invalid_request_error", "invalid_api_key"),
    API_KEY_REVOKED(401, "invalid_request_error", "api_key_revoked"),
    API_KEY_EXPIRED(401, "invalid_request_error", "api_key_expired"),
    IP_NOT_ALLOWED(403, "permission_error", "ip_not_allowed"),
    INSUFFICIENT_SCOPE(403, "permission_error", "insufficient_scope"),
    SUBSCRIPTION_REQUIRED(403, "permission_error", "subscription_required"),
    ENVIRONMENT_MISMATCH(403, "permission_error", "environment_mismatch"),
    NOT_FOUND(404, "invalid_request_error", "not_found"),
    MODEL_NOT_FOUND(404, "invalid_request_error", "model_not_found"),
    METHOD_NOT_ALLOWED(405, "invalid_request_error", "method_not_allowed"),
    INVALID_REQUEST(400, "invalid_request_error", "invalid_request"),
    REQUEST_TOO_LARGE(413, "invalid_request_error", "request_too_large"),
    REQUEST_TIMEOUT(408, "invalid_request_error", "request_timeout"),
    /** The most the request could cost is more than the ledger can record for one request. */
    COST_LIMIT_EXCEEDED(400, "invalid_request_error", "cost_limit_exceeded"),
    RATE_LIMIT_EXCEEDED(429, "rate_limit_error", "rate_limit_exceeded"),
    /** Over a token limit: OpenAI's type {@code tokens} with the same code as a request limit. */
    TOKEN_RATE_LIMIT_EXCEEDED(429, "tokens", "rate_limit_exceeded", "tokens_rate_limit_exceeded"),
    /** Over a monthly budget: not worth retrying ({@code x-should-retry: false}). */
    INSUFFICIENT_QUOTA(429, "insufficient_quota", "insufficient_quota"),
    INTERNAL_ERROR(500, "api_error", "internal_error"),
    UPSTREAM_ERROR(502, "api_error", "upstream_error"),
    SERVICE_UNAVAILABLE(503, "api_error", "service_unavailable"),
    UPSTREAM_TIMEOUT(504, "api_error", "upstream_timeout");

    private final HttpResponseStatus status;
    private final String type;
    private final String code;
    private final String reason;

    ErrorCode(int status, String type, String code) {
        this(status, type, code, code);
    }

    ErrorCode(int status, String type, String code, String reason) {
        this.status = HttpResponseStatus.valueOf(status);
        this.type = type;
        this.code = code;
        this.reason = reason;
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** OpenAI's {@code error.type}. */
    public String type() {
        return type;
    }

    /** OpenAI's {@code error.code}. */
    public String code() {
        return code;
    }

    /**
     * The {@code reason} tag of rejection metrics: the code, except where two errors share a code
     * (a token limit and a request limit are both {@code rate_limit_exceeded} to clients).
     */
    public String reason() {
        return reason;
    }
}
