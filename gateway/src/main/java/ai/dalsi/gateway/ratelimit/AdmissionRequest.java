package ai.dalsi.gateway.ratelimit;

import java.util.Objects;
import java.util.UUID;

/**
 * What {@link KeyRateLimiter#admit} decides on: whose request, under which limits, with which
 * worst case.
 *
 * @param keyId         the key
 * @param userId        its owner (whose budget spans all their keys)
 * @param requestLimits requests per minute, hour and day
 * @param tokenLimits   tokens per minute and day
 * @param budgets       the key's and the user's monthly budgets
 * @param worstCase     what the request may consume at most
 */
public record AdmissionRequest(UUID keyId, UUID userId, RateLimits requestLimits, TokenLimits tokenLimits,
        MonthlyBudgets budgets, WorstCase worstCase) {

    public AdmissionRequest {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(requestLimits, "requestLimits");
        Objects.requireNonNull(tokenLimits, "tokenLimits");
        Objects.requireNonNull(budgets, "budgets");
        Objects.requireNonNull(worstCase, "worstCase");
    }

    /** Whether nothing limits it (internal keys): admitted with no headers and no reservation. */
    public boolean exempt() {
        return requestLimits.unlimited() && tokenLimits.unlimited() && budgets.none();
    }
}
