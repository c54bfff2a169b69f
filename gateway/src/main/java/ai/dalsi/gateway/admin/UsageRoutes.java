package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.error.Echo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * {@code GET /admin/usage?key_id=|user_id=&from=&to=&granularity=hour|day}: from and to are
 * ISO-8601 times with an offset or UTC dates ({@code 2030-01-31}); from is inclusive, to exclusive.
 * Without both, the report covers the current UTC month of the injected clock (from its first
 * instant to the first instant of the next month); one without the other is refused, since no
 * default fits every range. Every rollup hour starting inside the range is counted; day buckets
 * are UTC days.
 */
final class UsageRoutes {

    private static final Set<String> PARAMS = Set.of("key_id", "user_id", "from", "to", "granularity");
    /** Longest range one request may ask for: keeps a report to at most ~9,000 hourly buckets. */
    static final Duration MAX_RANGE = Duration.ofDays(366);

    private final UsageService usage;
    private final Clock clock;

    UsageRoutes(UsageService usage, Clock clock) {
        this.usage = usage;
        this.clock = clock;
    }

    void register(Router router) {
        router.add("GET", "/admin/usage", Access.ADMIN, this::report);
    }

    private AdminResponse report(AdminRequest request) {
        for (String name : request.query().keySet()) {
            if (!PARAMS.contains(name)) {
                throw AdminProblem.badInput(Echo.name(name), "unknown parameter: " + Echo.name(name)
                        + " (expected: key_id or user_id, from, to, granularity)");
            }
        }
        UUID keyId = id(request, "key_id");
        UUID userId = id(request, "user_id");
        if ((keyId == null) == (userId == null)) {
            throw AdminProblem.badInput(keyId == null ? "key_id" : "user_id",
                    "key_id, user_id: exactly one is required");
        }
        String fromText = request.queryParam("from");
        String toText = request.queryParam("to");
        Instant from;
        Instant to;
        if (fromText == null && toText == null) {
            YearMonth month = YearMonth.now(clock.withZone(ZoneOffset.UTC));
            from = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            to = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        } else {
            from = time("from", fromText);
            to = time("to", toText);
        }
        if (!from.isBefore(to)) {
            throw AdminProblem.badInput("to", "to: " + to + " (expected: after from, " + from + ")");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw AdminProblem.badInput("to", "to: " + to + " (expected: at most 366 days after from)");
        }
        String g = request.queryParam("granularity");
        UsageService.Granularity granularity;
        if (g == null || g.equalsIgnoreCase("hour")) {
            granularity = UsageService.Granularity.HOUR;
        } else if (g.equalsIgnoreCase("day")) {
            granularity = UsageService.Granularity.DAY;
        } else {
            throw AdminProblem.badInput("granularity", "granularity: " + Echo.text(g) + " (expected: hour or day)");
        }
        return AdminResponse.json(200, usage.report(keyId, userId, from, to, granularity));
    }

    private static UUID id(AdminRequest request, String name) {
        String v = request.queryParam(name);
        if (v == null) {
            return null;
        }
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw AdminProblem.badInput(name, name + ": " + Echo.text(v) + " (expected: an id (UUID))");
        }
    }

    private static Instant time(String name, String v) {
        if (v == null) {
            throw AdminProblem.badInput(name, name + ": missing (expected: an ISO-8601 time or UTC date; leave out"
                    + " both from and to for the current UTC month)");
        }
        Instant at;
        try {
            if (v.length() == 10) {
                at = LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            } else {
                // An unescaped '+' in a query string arrives as a space: "10:00:00 02:00" meant "+02:00".
                at = OffsetDateTime.parse(v.toUpperCase(Locale.ROOT).replace(' ', '+')).toInstant();
            }
        } catch (DateTimeParseException e) {
            throw AdminProblem.badInput(name, name + ": " + Echo.text(v)
                    + " (expected: an ISO-8601 time such as 2030-01-31T00:00:00Z, or a date such as 2030-01-31)");
        }
        return Validation.storableTime(name, v, at);
    }
}
