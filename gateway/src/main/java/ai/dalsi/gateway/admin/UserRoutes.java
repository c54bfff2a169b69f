package ai.dalsi.gateway.admin;

import java.math.BigDecimal;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /admin/users}, {@code GET /admin/users/{id}}. The email must be an address
 * ({@link Validation#email}) that no user has yet, compared ignoring case (409 otherwise);
 * {@code monthly_budget_usd} (optional, null for none) bounds what all the user's keys may spend in a
 * UTC month. Reading a user shows what is left of it ({@code remaining_budget_usd}).
 */
final class UserRoutes {

    private static final Set<String> CREATE_FIELDS = Set.of("email", "full_name", "monthly_budget_usd");

    private final UserService users;

    UserRoutes(UserService users) {
        this.users = users;
    }

    void register(Router router) {
        router.add("POST", "/admin/users", Access.ADMIN, this::create);
        router.add("GET", "/admin/users/{id}", Access.ADMIN, this::get);
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
}
