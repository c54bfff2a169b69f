package ai.dalsi.gateway.admin;

import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** {@code POST /admin/users}, {@code GET /admin/users/{id}}. */
final class UserRoutes {

    private static final Set<String> CREATE_FIELDS = Set.of("email", "full_name");
    // Deliberately loose: one @ with something on both sides, no spaces. Deliverability is the
    // portal's business; the admin API only refuses what is clearly not an address.
    private static final Pattern EMAIL = Pattern.compile("[^\\s@]+@[^\\s@]+");

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
        String email = in.requiredText("email", 320);
        if (!EMAIL.matcher(email).matches()) {
            throw AdminProblem.badInput("email", "email: \"" + email + "\" (expected: an address like name@example.com)");
        }
        String fullName = in.text("full_name", 200);
        return AdminResponse.json(201, users.create(email, fullName));
    }

    private AdminResponse get(AdminRequest request) {
        UUID id = request.idParam("id", "user");
        return users.find(id).map(u -> AdminResponse.json(200, u))
                .orElseThrow(() -> AdminProblem.notFound("no user with id " + id));
    }
}
