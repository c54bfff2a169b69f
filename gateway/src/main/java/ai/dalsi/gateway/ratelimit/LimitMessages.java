package ai.dalsi.gateway.ratelimit;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * The words of every limit refusal, in one place, as OpenAI words them where it has words for it
 * (an organization becomes the API key, shown by its display prefix, never the key itself).
 * For example:
 * <pre>
 * Rate limit reached for requests per minute: limit 2. Please try again in 30s.
 * Rate limit reached for gpt-4o with API key dsk_live_AbC on tokens per min (TPM): Limit 1000, Used 700, Requested 400. Please try again in 6s.
 * Request too large for gpt-4o with API key dsk_live_AbC on tokens per min (TPM): Limit 1000, Requested 4400. The input or output tokens must be reduced in order to run successfully.
 * You exceeded your current quota, please check your plan and billing details. This API key's monthly budget is $10.00: $9.95 is spent or reserved this month and this request may cost up to $0.08.
 * </pre>
 */
public final class LimitMessages {

    /** A request window: window phrase ("per minute"), limit, wait. */
    public static final String REQUESTS = "Rate limit reached for requests %s: limit %d. Please try again in %s.";
    /** A token window: model, key prefix, window phrase ("tokens per min (TPM)"), limit, used, requested, wait. */
    public static final String TOKENS = "Rate limit reached for %s with API key %s on %s: Limit %d, Used %d, "
            + "Requested %d. Please try again in %s.";
    /** A request whose worst case alone is over a token limit: model, key prefix, window phrase, limit, requested. */
    public static final String TOKENS_TOO_LARGE = "Request too large for %s with API key %s on %s: Limit %d, "
            + "Requested %d. The input or output tokens must be reduced in order to run successfully.";
    /** OpenAI's words for {@code insufficient_quota}, which every budget refusal starts with. */
    public static final String QUOTA = "You exceeded your current quota, please check your plan and billing details.";
    /** A monthly budget: whose ("This API key's" / "Your account's"), budget, committed, requested. */
    public static final String BUDGET = QUOTA + " %s monthly budget is $%s: $%s is spent or reserved this month and "
            + "this request may cost up to $%s.";
    public static final String KEY_BUDGET_OWNER = "This API key's";
    public static final String USER_BUDGET_OWNER = "Your account's";

    private LimitMessages() {
    }

    /** The message of a request-window refusal. */
    public static String requests(RateLimitDecision.Limited l) {
        // REQUESTS, put together without a Formatter: every 429 of a request window says it.
        return "Rate limit reached for requests " + l.window().phrase() + ": limit " + l.limit()
                + ". Please try again in " + OpenAiDuration.format(l.retryAfterNanos()) + ".";
    }

    /** The message of a token-window refusal for a request to {@code model} with the key shown as {@code keyPrefix}. */
    public static String tokens(AdmissionDecision.TokensRefused t, String model, String keyPrefix) {
        if (t.exceedsLimit()) {
            return String.format(Locale.ROOT, TOKENS_TOO_LARGE, model, keyPrefix, t.window().phrase(), t.limit(),
                    t.requested());
        }
        return String.format(Locale.ROOT, TOKENS, model, keyPrefix, t.window().phrase(), t.limit(), t.used(),
                t.requested(), OpenAiDuration.format(t.retryAfterNanos()));
    }

    /** The message of a budget refusal. */
    public static String budget(AdmissionDecision.BudgetRefused b) {
        return String.format(Locale.ROOT, BUDGET, b.scope() == BudgetScope.KEY ? KEY_BUDGET_OWNER : USER_BUDGET_OWNER,
                usd(b.budget()), usd(b.committed()), usd(b.requested()));
    }

    /** Dollars with at least two decimals and no trailing zeros beyond them: 10.00, 0.0012. */
    static String usd(BigDecimal amount) {
        BigDecimal a = amount.stripTrailingZeros();
        return a.setScale(Math.max(2, a.scale()), RoundingMode.UNNECESSARY).toPlainString();
    }
}
