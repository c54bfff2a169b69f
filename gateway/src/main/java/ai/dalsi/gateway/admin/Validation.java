package ai.dalsi.gateway.admin;

import io.netty.util.NetUtil;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The value rules shared by the admin routes; each failure is a 400 naming the field. */
final class Validation {

    static final Set<String> SCOPES = Set.of("ai.chat", "ai.code", "ai.image");
    static final Set<String> TIERS = Set.of("free", "pro", "enterprise");
    static final Set<String> ENVIRONMENTS = Set.of("production", "development");
    static final Set<String> MODEL_TYPES = Set.of("text", "multimodal");

    private Validation() {
    }

    static String oneOf(String field, String value, Set<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            throw AdminProblem.badInput(field, field + ": \"" + value + "\" (expected: one of "
                    + String.join(", ", allowed.stream().sorted().toList()) + ")");
        }
        return value;
    }

    /** Scopes of a key or product: each one of {@link #SCOPES}. */
    static List<String> scopes(String field, List<String> scopes, boolean allowEmpty) {
        if (scopes == null) {
            return null;
        }
        if (scopes.isEmpty() && !allowEmpty) {
            throw AdminProblem.badInput(field, field + ": [] (expected: at least one of ai.chat, ai.code, ai.image)");
        }
        for (int i = 0; i < scopes.size(); i++) {
            if (!SCOPES.contains(scopes.get(i))) {
                throw AdminProblem.badInput(field, field + "[" + i + "]: \"" + scopes.get(i)
                        + "\" (expected: one of ai.chat, ai.code, ai.image)");
            }
        }
        return scopes;
    }

    /**
     * An IP allowlist: each entry an IPv4 or IPv6 address or CIDR range, as literals (no name
     * lookups). An empty list is refused because it reads as "nobody" but would mean "anybody".
     */
    static List<String> allowedIps(String field, List<String> entries) {
        if (entries == null) {
            return null;
        }
        if (entries.isEmpty()) {
            throw AdminProblem.badInput(field, field
                    + ": [] (expected: at least one address or CIDR range; null allows every address)");
        }
        for (int i = 0; i < entries.size(); i++) {
            if (!isAddressOrCidr(entries.get(i))) {
                throw AdminProblem.badInput(field, field + "[" + i + "]: \"" + entries.get(i)
                        + "\" (expected: an IPv4 or IPv6 address or CIDR range such as 203.0.113.0/24)");
            }
        }
        return entries;
    }

    static boolean isAddressOrCidr(String entry) {
        int slash = entry.indexOf('/');
        String address = slash < 0 ? entry : entry.substring(0, slash);
        int maxPrefix;
        if (NetUtil.isValidIpV4Address(address)) {
            maxPrefix = 32;
        } else if (NetUtil.isValidIpV6Address(address) && !address.contains("%")) {
            maxPrefix = 128;
        } else {
            return false;
        }
        if (slash < 0) {
            return true;
        }
        String prefix = entry.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(Character::isDigit)) {
            return false;
        }
        return Integer.parseInt(prefix) <= maxPrefix;
    }

    /** An absolute http(s) URL with a host. */
    static String webhookUrl(String field, String url) {
        if (url == null) {
            return null;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return url;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw AdminProblem.badInput(field, field + ": \"" + url + "\" (expected: an http:// or https:// URL)");
    }

    /** Product endpoints: paths under {@code /v1/}. */
    static List<String> endpoints(String field, List<String> endpoints) {
        if (endpoints == null) {
            return null;
        }
        if (endpoints.isEmpty()) {
            throw AdminProblem.badInput(field, field + ": [] (expected: at least one path starting with /v1/)");
        }
        for (int i = 0; i < endpoints.size(); i++) {
            String e = endpoints.get(i);
            if (!e.startsWith("/v1/") || e.length() == 4 || e.contains("?") || e.contains("#") || e.contains("//")
                    || e.chars().anyMatch(Character::isWhitespace)) {
                throw AdminProblem.badInput(field, field + "[" + i + "]: \"" + e
                        + "\" (expected: a path starting with /v1/, such as /v1/chat/completions)");
            }
        }
        return endpoints;
    }
}
