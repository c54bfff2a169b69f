package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.error.Echo;
import ai.dalsi.metering.Pricing;
import io.netty.util.NetUtil;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The value rules shared by the admin routes; each failure is a 400 naming the field. */
final class Validation {

    /** Most scopes one key or product lists, and the longest scope name. */
    static final int MAX_SCOPES = 32;
    static final int MAX_SCOPE_LENGTH = 64;
    private static final Pattern SCOPE = Pattern.compile("[a-z][a-z0-9._-]{0,63}");
    static final Set<String> PRODUCT_KINDS = java.util.Arrays.stream(ai.dalsi.metering.ProductKind.values())
            .map(ai.dalsi.metering.ProductKind::dbValue).collect(java.util.stream.Collectors.toUnmodifiableSet());
    static final Set<String> TIERS = Set.of("free", "pro", "enterprise");
    static final Set<String> ENVIRONMENTS = Set.of("production", "development");
    static final Set<String> MODEL_TYPES = Set.of("text", "multimodal");

    /** Earliest instant accepted anywhere: years have four digits, which PostgreSQL's timestamptz holds. */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    /** Latest instant accepted anywhere. */
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    /** Longest address: RFC 5321's limit on a path (254 characters between the angle brackets). */
    static final int MAX_EMAIL_LENGTH = 254;
    private static final int MAX_LOCAL_PART = 64;
    // The WHATWG HTML standard's "valid email address", the rule browsers apply to <input type=email>:
    // a dot-atom local part (no quoted strings, no comments) and a domain of LDH labels of at most 63
    // characters. Internationalised addresses are not accepted; their domains can be given in punycode.
    private static final Pattern EMAIL = Pattern.compile("[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9]"
            + "(?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*");

    private Validation() {
    }

    /**
     * An email address as the HTML standard defines a valid one, with RFC 5321's lengths (at most
     * 64 characters before the {@code @}, {@value #MAX_EMAIL_LENGTH} in all). Deliverability is the
     * portal's business; this refuses what cannot be an address.
     */
    static String email(String field, String value) {
        int at = value.lastIndexOf('@');
        if (value.length() > MAX_EMAIL_LENGTH || at < 1 || at > MAX_LOCAL_PART || !EMAIL.matcher(value).matches()) {
            throw AdminProblem.badInput(field, field + ": " + Echo.text(value)
                    + " (expected: an address like name@example.com)");
        }
        return value;
    }

    /** {@code at} (parsed from {@code given}) unless it lies outside {@link #EARLIEST}..{@link #LATEST}. */
    static Instant storableTime(String field, String given, Instant at) {
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
            throw AdminProblem.badInput(field, field + ": " + Echo.text(given)
                    + " (expected: a time between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z)");
        }
        return at;
    }

    static String oneOf(String field, String value, Set<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            throw AdminProblem.badInput(field, field + ": " + Echo.text(value) + " (expected: one of "
                    + String.join(", ", allowed.stream().sorted().toList()) + ")");
        }
        return value;
    }

    /**
     * Scopes of a key: each one that some product of the catalog requires ({@code known}, asked only
     * when there are scopes to check), at least one.
     */
    static List<String> scopes(String field, List<String> scopes, Supplier<List<String>> known) {
        if (scopes == null) {
            return null;
        }
        List<String> valid = known.get();
        if (valid.isEmpty()) {
            throw AdminProblem.badInput(field, field + ": no product requires a scope yet (expected: the scopes of"
                    + " the catalog's products; create a product with required_scopes first)");
        }
        if (scopes.isEmpty()) {
            throw AdminProblem.badInput(field, field + ": [] (expected: at least one of " + String.join(", ", valid) + ")");
        }
        for (int i = 0; i < scopes.size(); i++) {
            if (!valid.contains(scopes.get(i))) {
                throw AdminProblem.badInput(field, field + "[" + i + "]: " + Echo.text(scopes.get(i))
                        + " (expected: one of the scopes products require: " + String.join(", ", valid) + ")");
            }
        }
        return scopes;
    }

    /**
     * Scopes a product requires: names of the caller's choosing (a new product may bring a new scope,
     * which keys may then be given), such as {@code ai.embed}; the list may be empty.
     */
    static List<String> scopeNames(String field, List<String> scopes) {
        if (scopes == null) {
            return null;
        }
        for (int i = 0; i < scopes.size(); i++) {
            if (!SCOPE.matcher(scopes.get(i)).matches()) {
                throw AdminProblem.badInput(field, field + "[" + i + "]: " + Echo.text(scopes.get(i))
                        + " (expected: lower case letters, digits, '.', '_' or '-', such as ai.embed)");
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
                throw AdminProblem.badInput(field, field + "[" + i + "]: " + Echo.text(entries.get(i))
                        + " (expected: an IPv4 or IPv6 address or CIDR range such as 203.0.113.0/24)");
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
        throw AdminProblem.badInput(field, field + ": " + Echo.text(url) + " (expected: an http:// or https:// URL)");
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
                throw AdminProblem.badInput(field, field + "[" + i + "]: " + Echo.text(e)
                        + " (expected: a path starting with /v1/, such as /v1/chat/completions)");
            }
        }
        return endpoints;
    }

    /** A monthly budget in USD: null (none), or a price within the catalog's bounds ({@link Pricing#BOUNDS}). */
    static BigDecimal budget(String field, BigDecimal d) {
        if (d != null && !Pricing.withinBounds(d)) {
            throw AdminProblem.badInput(field, field + ": " + Echo.number(d) + " (expected: null for no budget, or "
                    + Pricing.BOUNDS + ")");
        }
        return d;
    }
}
