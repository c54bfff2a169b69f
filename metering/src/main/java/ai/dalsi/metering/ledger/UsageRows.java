package ai.dalsi.metering.ledger;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.repo.UsageRow;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.util.NetUtil;
import java.util.Set;

/**
 * Turns a {@link UsageEvent} into its {@code api_usage_logs} row, and says up front when a row
 * could never be stored (so that it is set aside instead of failing its whole batch).
 *
 * <p>{@code request_metadata} is a JSON object with {@code request_id}, {@code model} (null when
 * the request named none), {@code product}, {@code stream}, {@code backend_latency_ms} (null when
 * the backend was never called), {@code prompt_tokens}, {@code completion_tokens}, {@code images},
 * {@code usage_estimated} (always present, true or false, so that queries need not tell "absent"
 * from "false") and {@code client_aborted}; {@code cached_tokens} and {@code reasoning_tokens} when the
 * backend reported them (above 0); {@code backend} (the base URL of the backend that answered, or
 * the last one tried) and {@code attempts} (how many backends were tried) when a backend was called.
 * A client address that is not an IP literal is stored as {@code client_ip_raw} there, with {@code ip_address} null, rather than failing the
 * {@code inet} cast. NUL characters, which PostgreSQL text and jsonb cannot hold, become U+FFFD.
 * Sizes beyond the {@code integer} columns are stored as {@link Integer#MAX_VALUE}.
 */
final class UsageRows {

    private static final Set<String> TIERS = Set.of("free", "pro", "enterprise");
    private static final JsonStringEncoder JSON = JsonStringEncoder.getInstance();

    private UsageRows() {
    }

    /** Why the event can never be stored, or null when it can. */
    static String unstorable(UsageEvent e) {
        if (e.statusCode() < 100 || e.statusCode() > 599) {
            return "status_code " + e.statusCode() + " (expected: 100..599)";
        }
        if (e.subscriptionTier() != null && !TIERS.contains(e.subscriptionTier())) {
            return "subscription_tier " + e.subscriptionTier() + " (expected: free, pro or enterprise)";
        }
        if (e.costUsd().signum() < 0) {
            return "cost_usd " + e.costUsd() + " (expected: >= 0)";
        }
        if (e.costUsd().precision() - e.costUsd().scale() > 12) {
            return "cost_usd " + e.costUsd() + " (expected: < 10^12)";
        }
        return null;
    }

    static UsageRow row(UsageEvent e) {
        String ip = e.clientIp();
        String rawIp = null;
        if (ip != null && !NetUtil.isValidIpV4Address(ip) && !NetUtil.isValidIpV6Address(ip)) {
            rawIp = ip;
            ip = null;
        } else if (ip != null && ip.indexOf('%') >= 0) {
            ip = ip.substring(0, ip.indexOf('%')); // inet has no zone ids
        }
        return new UsageRow(
                e.requestId(),
                e.userId(),
                e.apiKeyId(),
                clean(e.endpoint()),
                clean(e.method()),
                e.statusCode(),
                e.responseTimeMs(),
                clamp(e.requestSizeBytes()),
                clamp(e.responseSizeBytes()),
                ip,
                e.usage().totalTokens(),
                e.costUsd(),
                e.subscriptionTier(),
                clean(e.errorMessage()),
                metadata(e, rawIp),
                clean(e.userAgent()),
                e.rateLimitRemaining(),
                e.rateLimitReset(),
                e.createdAt());
    }

    /** The {@code model} of the hourly rollups: '' when the request named none. */
    static String rollupModel(UsageEvent e) {
        return e.model() == null ? "" : clean(e.model());
    }

    static String metadata(UsageEvent e, String rawIp) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"request_id\":\"").append(e.requestId()).append('"');
        sb.append(",\"model\":");
        string(sb, e.model());
        sb.append(",\"product\":");
        string(sb, e.product());
        sb.append(",\"stream\":").append(e.stream());
        sb.append(",\"backend_latency_ms\":").append(e.backendLatencyMs());
        sb.append(",\"prompt_tokens\":").append(e.usage().promptTokens());
        sb.append(",\"completion_tokens\":").append(e.usage().completionTokens());
        sb.append(",\"images\":").append(e.usage().images());
        sb.append(",\"usage_estimated\":").append(e.usage().estimated());
        sb.append(",\"client_aborted\":").append(e.clientAborted());
        if (e.usage().cachedTokens() > 0) {
            sb.append(",\"cached_tokens\":").append(e.usage().cachedTokens());
        }
        if (e.usage().reasoningTokens() > 0) {
            sb.append(",\"reasoning_tokens\":").append(e.usage().reasoningTokens());
        }
        if (e.attempts() > 0) {
            sb.append(",\"backend\":");
            string(sb, e.backend());
            sb.append(",\"attempts\":").append(e.attempts());
        }
        if (rawIp != null) {
            sb.append(",\"client_ip_raw\":");
            string(sb, rawIp);
        }
        return sb.append('}').toString();
    }

    private static void string(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        JSON.quoteAsString(clean(s), sb);
        sb.append('"');
    }

    static String clean(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    private static Integer clamp(long v) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }
}
