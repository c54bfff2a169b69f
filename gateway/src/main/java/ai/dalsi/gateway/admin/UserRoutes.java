package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.USERS;

import ai.dalsi.gateway.error.Echo;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.Field;

/**
 * {@code /admin/users}: create, read, list and change portal users. The email must be an address
 * ({@link Validation#email}) that no other user has, compared ignoring case (409 otherwise).
 *
 * <ul>
 *   <li>{@code GET /admin/users?email=&limit=&offset=}: oldest first, {@code limit} 1 to
 *       {@value #MAX_LIMIT} (default {@value #DEFAULT_LIMIT}), {@code email} keeps addresses that
 *       contain it, ignoring case; {@code has_more} says whether another page follows;</li>
 *   <li>{@code POST /admin/users} with {@code email}, {@code full_name}, {@code monthly_budget_usd};
 *       {@code GET /admin/users/{id}} also shows what is left of the budget this UTC month
 *       ({@code remaining_budget_usd});</li>
 *   <li>{@code PATCH /admin/users/{id}}: {@code full_name} (null clears it), {@code email},
 *       {@code is_active}, {@code monthly_budget_usd} (USD per UTC month, &gt;= 0, null for none).
 *       A deactivated user's keys are refused by every node within a second.</li>
 * </ul>
 */
final class UserRoutes {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    /** Deep offsets cost the database a scan each; past this, narrow the search with {@code email}. */
    static final int MAX_OFFSET = 100_000;

    private static final Set<String> CREATE_FIELDS = Set.of("email", "full_name", "monthly_budget_usd");
    private static final Set<String> PATCH_FIELDS = Set.of("email", "full_name", "is_active", "monthly_budget_usd");
    private static final Set<String> LIST_PARAMS = Set.of("email", "limit", "offset");

    private final UserService users;

    UserRoutes(UserService users) {
        this.users = users;
    }

    void register(Router router) {
        router.add("POST", "/admin/users", Access.ADMIN, this::create);
        router.add("GET", "/admin/users", Access.ADMIN, this::list);
        router.add("GET", "/admin/users/{id}", Access.ADMIN, this::get);
        router.add("PATCH", "/admin/users/{id}", Access.ADMIN, this::patch);
    }

    private AdminResponse create(AdminRequest request) {
        JsonInput in = JsonInput.of(request.body(), CREATE_FIELDS);
        String email = Validation.email("email", in.requiredText("email", Validation.MAX_EMAIL_LENGTH));
        String fullName = in.text("full_name", 200);
        BigDecimal budget = Validation.budget("monthly_budget_usd", in.nonNegativeDecimal("monthly_budget_usd"));
        return AdminResponse.json(201, users.create(email, fullName, budget));
    }

    private AdminResponse get(AdminRequest request) {
        UUID id = request.idParam("id", "user");
        return users.find(id).map(u -> AdminResponse.json(200, u))
                .orElseThrow(() -> AdminProblem.notFound("no user with id " + id));
    }

    private AdminResponse list(AdminRequest request) {
        for (String name : request.query().keySet()) {
            if (!LIST_PARAMS.contains(name)) {
                throw AdminProblem.badInput(Echo.name(name), "unknown parameter: " + Echo.name(name)
                        + " (expected: email, limit, offset)");
            }
        }
        String email = request.queryParam("email");
        if (email != null) {
            JsonInput.plainText("email", email);
            if (email.length() > Validation.MAX_EMAIL_LENGTH) {
                throw AdminProblem.badInput("email", "email: " + email.length() + " characters (expected: at most "
                        + Validation.MAX_EMAIL_LENGTH + ")");
            }
        }
        int limit = number(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = number(request, "offset", 0, 0, MAX_OFFSET);
        UserService.Page page = users.list(email, limit, offset);
        return AdminResponse.json(200, page);
    }

    private AdminResponse patch(AdminRequest request) {
        UUID id = request.idParam("id", "user");
        JsonInput in = JsonInput.of(request.body(), PATCH_FIELDS);
        for (String f : Set.of("email", "is_active")) {
            if (in.isNull(f)) {
                throw AdminProblem.badInput(f, f + ": null (expected: a value; this setting cannot be cleared)");
            }
        }
        Map<Field<?>, Object> v = new LinkedHashMap<>();
        String email = in.text("email", Validation.MAX_EMAIL_LENGTH);
        if (email != null) {
            v.put(USERS.EMAIL, Validation.email("email", email));
        }
        if (in.isNull("full_name")) {
            v.put(USERS.FULL_NAME, null);
        } else if (in.has("full_name")) {
            v.put(USERS.FULL_NAME, in.text("full_name", 200));
        }
        Boolean active = in.bool("is_active");
        if (active != null) {
            v.put(USERS.IS_ACTIVE, active);
        }
        if (in.isNull("monthly_budget_usd")) {
            v.put(USERS.MONTHLY_BUDGET_USD, null);
        } else if (in.has("monthly_budget_usd")) {
            v.put(USERS.MONTHLY_BUDGET_USD, Validation.budget("monthly_budget_usd", in.nonNegativeDecimal("monthly_budget_usd")));
        }
        if (v.isEmpty()) {
            throw AdminProblem.badInput("body", "body: no field to change (expected: " + String.join(", ",
                    new java.util.TreeSet<>(PATCH_FIELDS)) + ")");
        }
        return users.change(id, v, email).map(u -> AdminResponse.json(200, u))
                .orElseThrow(() -> AdminProblem.notFound("no user with id " + id));
    }

    private static int number(AdminRequest request, String name, int absent, int min, int max) {
        String raw = request.queryParam(name);
        if (raw == null) {
            return absent;
        }
        if (raw.length() <= 9 && raw.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(raw);
            if (n >= min && n <= max) {
                return n;
            }
        }
        throw AdminProblem.badInput(name, name + ": " + Echo.text(raw) + " (expected: an integer from " + min + " to "
                + max + ")");
    }
}
