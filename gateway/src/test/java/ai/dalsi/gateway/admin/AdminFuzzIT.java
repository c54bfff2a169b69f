package ai.dalsi.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A seeded fuzz test of every admin route that takes input: {@value #CASES} requests whose fields
 * (the route's own, and now and then unknown ones) hold random strings with control characters,
 * NULs and unpaired surrogates, numbers at the edges of their types and far beyond, random dates
 * of any year, nested values and nulls. Whatever was sent, the answer is never a 5xx, and a
 * refusal is the admin API's JSON, under 1 kB, naming no library class.
 *
 * <p>The seed is fixed ({@value #SEED}) so a failure is reproducible: the case's name shows the
 * request. Bounded to {@value #CASES} cases, a few seconds.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminFuzzIT {

    static final long SEED = 20_261_201L;
    static final int CASES = 400;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final ObjectMapper ESCAPED = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    /** A route that takes input, with the fields it knows. */
    private record Route(String method, String path, List<String> fields) {
    }

    private static final List<Route> ROUTES = List.of(
            new Route("POST", "/admin/users", List.of("email", "full_name")),
            new Route("POST", "/admin/keys", List.of("user_id", "name", "scopes", "environment", "subscription_tier",
                    "rate_limit_per_minute", "rate_limit_per_hour", "rate_limit_per_day", "allowed_ips", "expires_at",
                    "is_internal", "webhook_url")),
            new Route("PATCH", "/admin/keys/KEY", List.of("name", "scopes", "subscription_tier", "rate_limit_per_minute",
                    "rate_limit_per_hour", "rate_limit_per_day", "allowed_ips", "expires_at", "is_internal",
                    "webhook_url")),
            new Route("POST", "/admin/keys/KEY/revoke", List.of("reason")),
            new Route("POST", "/admin/products", List.of("name", "display_name", "description", "category",
                    "base_price_usd", "price_per_1k_tokens", "max_tokens_per_request", "endpoints", "required_scopes",
                    "required_subscription_tier", "is_active", "is_public")),
            new Route("PATCH", "/admin/products/PRODUCT", List.of("display_name", "description", "category",
                    "base_price_usd", "price_per_1k_tokens", "max_tokens_per_request", "required_scopes",
                    "required_subscription_tier", "is_active", "is_public")),
            new Route("POST", "/admin/models", List.of("name", "version", "type", "capabilities", "pricing", "is_active",
                    "requires_subscription")),
            new Route("PATCH", "/admin/models/MODEL", List.of("version", "type", "capabilities", "pricing",
                    "is_active", "requires_subscription")),
            new Route("GET", "/admin/usage", List.of("key_id", "user_id", "from", "to", "granularity")),
            new Route("GET", "/admin/keys", List.of("user_id")),
            new Route("GET", "/admin/users", List.of("email", "limit", "offset")),
            new Route("PATCH", "/admin/users/USER", List.of("email", "full_name", "is_active", "monthly_budget_usd")),
            new Route("PUT", "/admin/flags", List.of("name", "is_enabled", "rollout_percentage", "description")),
            new Route("POST", "/admin/accounts", List.of("username", "password", "role", "full_name", "email")),
            // No account has the user's id: the body is checked, then the id is unknown.
            new Route("PATCH", "/admin/accounts/USER", List.of("is_active", "role", "password")));

    private final AdminFixture f;
    private final AdminFixture.Subjects at;

    AdminFuzzIT(TestDatabase db) {
        f = new AdminFixture(db);
        at = f.subjects("fuzz");
    }

    @AfterAll
    void close() {
        f.close();
    }

    /** The cases, from the fixed seed: method, path (with query), body. */
    static Stream<Arguments> cases() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        List<Arguments> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            Route route = ROUTES.get(random.nextInt(ROUTES.size()));
            if (route.method().equals("GET")) {
                StringBuilder query = new StringBuilder();
                for (String field : route.fields()) {
                    if (random.nextInt(3) > 0) {
                        String value = random.nextInt(3) == 0 ? knownValue(random, field) : string(random);
                        query.append(query.isEmpty() ? "?" : "&").append(field).append('=')
                                .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
                    }
                }
                cases.add(Arguments.of(i, route.method(), route.path() + query, null));
                continue;
            }
            ObjectNode body = NODES.objectNode();
            for (String field : route.fields()) {
                if (random.nextInt(3) > 0) {
                    body.set(field, random.nextInt(4) == 0 ? NODES.textNode(knownValue(random, field)) : value(random, 0));
                }
            }
            if (random.nextInt(10) == 0) {
                body.set(string(random), value(random, 0));
            }
            ObjectMapper writer = random.nextBoolean() ? PLAIN : ESCAPED;
            cases.add(Arguments.of(i, route.method(), route.path(), writer.writeValueAsString(body)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "case {0}: {1} {2}")
    @MethodSource("cases")
    void noInputEndsInAServerError(int n, String method, String path, String body) {
        String p = at.fill(path);
        AdminHttp.Response r = f.token.send(method, p, body == null ? null : at.fill(body),
                body == null ? Map.of() : Map.of("Content-Type", "application/json"));
        assertThat(r.status()).as("case %d: %s %s %s -> %s", n, method, p, abbreviated(body), r.text()).isLessThan(500);
        if (r.status() >= 400) {
            AdminInputIT.wellFormedRefusal(r);
        }
    }

    private static String abbreviated(String body) {
        return body == null || body.length() < 300 ? body : body.substring(0, 300) + "...";
    }

    /** A value that may well pass, so that writes reach the database too. */
    private static String knownValue(SplittableRandom r, String field) {
        return switch (field) {
            case "user_id", "key_id" -> r.nextBoolean() ? "USER" : "00000000-0000-0000-0000-000000000000";
            case "email" -> "f" + r.nextInt(1_000_000) + (r.nextBoolean() ? "@Example.com" : "@example.com");
            case "from", "to", "expires_at" -> date(r);
            case "environment" -> r.nextBoolean() ? "production" : "development";
            case "subscription_tier", "required_subscription_tier" -> "pro";
            case "type" -> "text";
            case "granularity" -> r.nextBoolean() ? "hour" : "day";
            case "webhook_url" -> "https://hooks.example.com/" + r.nextInt(1000);
            case "name" -> "n" + r.nextInt(1_000_000);
            case "username" -> "u" + r.nextInt(1_000_000);
            case "password" -> "password-" + r.nextInt(1_000_000);
            case "role" -> r.nextBoolean() ? "admin" : "super_admin";
            case "limit", "offset", "rollout_percentage" -> Integer.toString(r.nextInt(300) - 50);
            default -> string(r);
        };
    }

    private static JsonNode value(SplittableRandom r, int depth) {
        int kind = r.nextInt(depth > 3 ? 6 : 8);
        return switch (kind) {
            case 0, 1 -> NODES.textNode(string(r));
            case 2 -> NODES.numberNode(number(r));
            case 3 -> NODES.textNode(date(r));
            case 4 -> NODES.booleanNode(r.nextBoolean());
            case 5 -> NODES.nullNode();
            case 6 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    a.add(value(r, depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    o.set(r.nextBoolean() ? "input_per_1k" : string(r), value(r, depth + 1));
                }
                yield o;
            }
        };
    }

    private static final String[] SPECIAL = {"\u0000", "\u0001", "\u001f", "\u007f", "\u0085", "\ud800", "\udfff",
            "\u202e", "\ufeff", "\uffff", "😀", "\t", "\n", "\r", "\\", "\"", "'", "%00", "' OR 1=1 --", "é", "İ"};

    private static String string(SplittableRandom r) {
        int length = r.nextInt(10) == 0 ? r.nextInt(5000) : r.nextInt(40);
        StringBuilder sb = new StringBuilder(length);
        while (sb.length() < length) {
            switch (r.nextInt(4)) {
                case 0 -> sb.append(SPECIAL[r.nextInt(SPECIAL.length)]);
                case 1 -> sb.append((char) r.nextInt(0x20));
                case 2 -> sb.appendCodePoint(r.nextInt(0x110000));
                default -> sb.append((char) ('a' + r.nextInt(26)));
            }
        }
        return sb.toString();
    }

    private static final String[] NUMBERS = {"0", "-0", "1", "-1", "0.1", "-0.000000001", "2147483647", "2147483648",
            "-2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
            "1e308", "1e309", "-1e309", "1e-400", "4.9e-324", "1e1000000", "-1e1000000", "1e999999999",
            "1e-999999999", "1000000", "1000000.00000001", "999999999999.99999999", "1E+2", "123456789012345678901234567890"};

    private static BigDecimal number(SplittableRandom r) {
        if (r.nextBoolean()) {
            return new BigDecimal(NUMBERS[r.nextInt(NUMBERS.length)]);
        }
        return new BigDecimal(r.nextLong()).scaleByPowerOfTen(r.nextInt(-30, 30));
    }

    private static String date(SplittableRandom r) {
        long year = switch (r.nextInt(4)) {
            case 0 -> r.nextLong(-999_999_999L, 1_000_000_000L);
            case 1 -> r.nextLong(-10_000, 10_001);
            default -> r.nextLong(1990, 2100);
        };
        String y = Math.abs(year) > 9999 ? (year < 0 ? "-" : "+") + Math.abs(year)
                : (year < 0 ? "-" : "") + String.format("%04d", Math.abs(year));
        String date = y + "-" + String.format("%02d-%02d", r.nextInt(0, 14), r.nextInt(0, 33));
        return switch (r.nextInt(4)) {
            case 0 -> date;
            case 1 -> date + "T" + String.format("%02d:%02d:%02d", r.nextInt(25), r.nextInt(61), r.nextInt(62)) + "Z";
            case 2 -> date + "T23:59:59.999999999+14:00";
            default -> date + "T00:00:00-18:00";
        };
    }
}
