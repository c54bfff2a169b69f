package ai.dalsi.persistence.repo;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * One {@code api_usage_logs} row. {@code id} is the request's UUIDv7 and {@code createdAt} the
 * instant inside it (the table checks that they agree).
 *
 * @param requestMetadataJson the {@code request_metadata} jsonb as text
 */
public record UsageRow(
        UUID id,
        UUID userId,
        UUID apiKeyId,
        String endpoint,
        String method,
        int statusCode,
        Integer responseTimeMs,
        Integer requestSizeBytes,
        Integer responseSizeBytes,
        String ipAddress,
        int tokensUsed,
        BigDecimal costUsd,
        String subscriptionTier,
        String errorMessage,
        String requestMetadataJson,
        String userAgent,
        Integer rateLimitRemaining,
        Instant rateLimitReset,
        Instant createdAt) {
}
