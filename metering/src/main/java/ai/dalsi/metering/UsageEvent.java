package ai.dalsi.metering;

import ai.dalsi.persistence.UuidV7;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One request that presented a known key, as the edge saw it when the response ended (or failed,
 * or the client went away): everything {@code api_usage_logs} stores about it. Exactly one event
 * per such request; its {@code requestId} is the row id, so writing it twice stores it once.
 *
 * @param requestId          the request's UUIDv7 ({@code x-request-id}); {@link #createdAt()} is the instant in it
 * @param userId             owner of the key
 * @param apiKeyId           the key
 * @param endpoint           request path without the query, e.g. {@code /v1/chat/completions}
 * @param method             HTTP method
 * @param statusCode         status the client received (499 when the client went away first)
 * @param responseTimeMs     from the first byte received to the last byte sent
 * @param requestSizeBytes   request body bytes
 * @param responseSizeBytes  response body bytes sent to the client
 * @param clientIp           client address (after trusted-proxy resolution), or null
 * @param usage              tokens and images consumed
 * @param costUsd            {@link CostCalculator#cost} of this request, scale {@value CostCalculator#SCALE}
 * @param subscriptionTier   the key's tier
 * @param errorMessage       the error the client saw, or null on success
 * @param userAgent          the client's User-Agent, or null
 * @param rateLimitRemaining requests left in the tightest window after this one, or null (internal keys)
 * @param rateLimitReset     when the tightest window refills, or null
 * @param model              the model requested, or null when none was named
 * @param product            the product of the endpoint ({@code ai.chat}, ...), or null for unknown paths
 * @param stream             whether the client asked for a stream
 * @param backendLatencyMs   time from sending to the backend until its response headers, or null if never sent
 * @param clientAborted      whether the client went away before the response ended
 * @param backend            the backend that answered (its base URL, never a key), or the last one tried when
 *                           none answered; null when no backend was called
 * @param attempts           backends tried for this request (1 without a retry); 0 when none was called
 * @param refused            whether the edge refused the request itself, without forwarding it to a backend
 *                           (401 for a revoked key, 403, 404, 413, 429, ...): such a request is counted exactly
 *                           in the refusal counts, the rollups and the key totals, but stored as a row of its own
 *                           only when it is among the sampled few (see the ledger); a request that reached the
 *                           backend, or that the edge answered successfully, always has its own row
 */
public record UsageEvent(
        UUID requestId,
        UUID userId,
        UUID apiKeyId,
        String endpoint,
        String method,
        int statusCode,
        int responseTimeMs,
        long requestSizeBytes,
        long responseSizeBytes,
        String clientIp,
        TokenUsage usage,
        BigDecimal costUsd,
        String subscriptionTier,
        String errorMessage,
        String userAgent,
        Integer rateLimitRemaining,
        Instant rateLimitReset,
        String model,
        String product,
        boolean stream,
        Integer backendLatencyMs,
        boolean clientAborted,
        String backend,
        int attempts,
        boolean refused) {

    public UsageEvent {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(apiKeyId, "apiKeyId");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(costUsd, "costUsd");
        if (!UuidV7.isV7(requestId)) {
            throw new IllegalArgumentException("requestId is not a UUIDv7: " + requestId);
        }
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts: " + attempts + " (expected: >= 0)");
        }
        if (costUsd.scale() != CostCalculator.SCALE) {
            costUsd = costUsd.setScale(CostCalculator.SCALE, java.math.RoundingMode.HALF_UP);
        }
    }

    /** When the request arrived: the instant inside {@link #requestId()}, the row's {@code created_at}. */
    public Instant createdAt() {
        return UuidV7.instant(requestId);
    }

    /** Whether the client saw an error (status 400 or above). */
    public boolean isError() {
        return statusCode >= 400;
    }

    /** A builder, for the edge which learns the fields one step at a time. */
    public static Builder builder(UUID requestId, UUID userId, UUID apiKeyId) {
        return new Builder(requestId, userId, apiKeyId);
    }

    /** Collects an event's fields; {@link #build()} checks them. */
    public static final class Builder {
        private final UUID requestId;
        private final UUID userId;
        private final UUID apiKeyId;
        private String endpoint = "";
        private String method = "POST";
        private int statusCode;
        private int responseTimeMs;
        private long requestSizeBytes;
        private long responseSizeBytes;
        private String clientIp;
        private TokenUsage usage = TokenUsage.NONE;
        private BigDecimal costUsd = CostCalculator.ZERO;
        private String subscriptionTier;
        private String errorMessage;
        private String userAgent;
        private Integer rateLimitRemaining;
        private Instant rateLimitReset;
        private String model;
        private String product;
        private boolean stream;
        private Integer backendLatencyMs;
        private boolean clientAborted;
        private String backend;
        private int attempts;
        private boolean refused;

        private Builder(UUID requestId, UUID userId, UUID apiKeyId) {
            this.requestId = requestId;
            this.userId = userId;
            this.apiKeyId = apiKeyId;
        }

        public Builder endpoint(String v) { endpoint = v; return this; }
        public Builder method(String v) { method = v; return this; }
        public Builder statusCode(int v) { statusCode = v; return this; }
        public Builder responseTimeMs(int v) { responseTimeMs = v; return this; }
        public Builder requestSizeBytes(long v) { requestSizeBytes = v; return this; }
        public Builder responseSizeBytes(long v) { responseSizeBytes = v; return this; }
        public Builder clientIp(String v) { clientIp = v; return this; }
        public Builder usage(TokenUsage v) { usage = v; return this; }
        public Builder costUsd(BigDecimal v) { costUsd = v; return this; }
        public Builder subscriptionTier(String v) { subscriptionTier = v; return this; }
        public Builder errorMessage(String v) { errorMessage = v; return this; }
        public Builder userAgent(String v) { userAgent = v; return this; }
        public Builder rateLimitRemaining(Integer v) { rateLimitRemaining = v; return this; }
        public Builder rateLimitReset(Instant v) { rateLimitReset = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder product(String v) { product = v; return this; }
        public Builder stream(boolean v) { stream = v; return this; }
        public Builder backendLatencyMs(Integer v) { backendLatencyMs = v; return this; }
        public Builder clientAborted(boolean v) { clientAborted = v; return this; }
        public Builder backend(String v) { backend = v; return this; }
        public Builder attempts(int v) { attempts = v; return this; }
        public Builder refused(boolean v) { refused = v; return this; }

        public UsageEvent build() {
            return new UsageEvent(requestId, userId, apiKeyId, endpoint, method, statusCode, responseTimeMs,
                    requestSizeBytes, responseSizeBytes, clientIp, usage, costUsd, subscriptionTier, errorMessage,
                    userAgent, rateLimitRemaining, rateLimitReset, model, product, stream, backendLatencyMs,
                    clientAborted, backend, attempts, refused);
        }
    }
}
