package ai.dalsi.metering.ledger;

import ai.dalsi.metering.CostCalculator;
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
 * Sizes beyond the {@code integer} columns are stored as {@link Integer#MAX_VALUE}. The endpoint
 * and the model, which key the hourly rollups (a btree holds at most 2,704 bytes per entry), are
 * cut to {@value #MAX_KEY_CHARACTERS} characters: a client with a key may send any path or model
 * name, and one that no index can hold would otherwise stop its whole batch, and every batch
 * after it, from ever being written. A refused
 * request's example row ({@link Batch.Kind#SAMPLE}) says {@code "sampled_refusal": true} there:
 * it is counted through {@code api_usage_refusals}, so sums over rows leave it out.
 */
final class UsageRows {

    /** Longest endpoint and model stored; products' endpoints and models' names are far shorter. */
    static final int MAX_KEY_CHARACTERS = 256;

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
        if (!CostCalculator.recordable(e.costUsd())) {
            return "cost_usd " + e.costUsd() + " (expected: at most " + CostCalculator.MAX_RECORDABLE + ")";
        }
        return null;
    }

    static UsageRow row(UsageEvent e) {
        String ip = inetOrNull(e.clientIp());
        String rawIp = ip == null && e.clientIp() != null ? e.clientIp() : null;
        return new UsageRow(
                e.requestId(),
                e.userId(),
                e.apiKeyId(),
                keyText(e.endpoint()),
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

    /**
     * The client address as {@code inet} takes it (without a zone id), or null when it is not an
     * IP literal (then the row keeps it as {@code client_ip_raw}).
     */
    static String inetOrNull(String ip) {
        if (ip == null || (!NetUtil.isValidIpV4Address(ip) && !NetUtil.isValidIpV6Address(ip))) {
            return null;
        }
        return ip.indexOf('%') >= 0 ? ip.substring(0, ip.indexOf('%')) : ip; // inet has no zone ids
    }

    /** The {@code model} of the hourly rollups: '' when the request named none. */
    static String rollupModel(UsageEvent e) {
        return e.model() == null ? "" : keyText(e.model());
    }

    static String metadata(UsageEvent e, String rawIp) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"request_id\":\"").append(e.requestId()).append('"');
        sb.append(",\"model\":");
        string(sb, keyText(e.model()));
        sb.append(",\"product\":");
        string(sb, e.product());
        sb.append(",\"stream\":").append(e.stream());
        sb.append(",\"backend_latency_ms\":").append(e.backendLatencyMs());
        sb.append(",\"prompt_tokens\":").append(e.usage().promptTokens());
        sb.append(",\"completion_tokens\":").append(e.usage().completionTokens());
        sb.append(",\"images\":").append(e.usage().images());
        sb.append(",\"usage_estimated\":").append(e.usage().estimated());
        sb.append(",\"client_aborted\":").append(e.clientAborted());
        if (e.refused()) {
            // An example of requests the edge refused: counted in the refusal counts, not through this row.
            sb.append(",\"sampled_refusal\":true");
        }
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

    /** {@link #clean}, cut to {@value #MAX_KEY_CHARACTERS} characters (never inside a surrogate pair). */
    static String keyText(String s) {
        String c = clean(s);
        if (c == null || c.length() <= MAX_KEY_CHARACTERS) {
            return c;
        }
        int end = MAX_KEY_CHARACTERS;
        if (Character.isLowSurrogate(c.charAt(end)) && Character.isHighSurrogate(c.charAt(end - 1))) {
            end--;
        }
        return c.substring(0, end);
    }

    static String clean(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    private static Integer clamp(long v) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }
}
