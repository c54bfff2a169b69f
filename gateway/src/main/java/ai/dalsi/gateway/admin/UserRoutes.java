package ai.dalsi.gateway.admin;

import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /admin/users}, {@code GET /admin/users/{id}}. The email must be an address
 * ({@link Validation#email}) that no user has yet, compared ignoring case (409 otherwise).
 */
final class UserRoutes {

    private static final Set<String> CREATE_FIELDS = Set.of("email", "full_name");

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
        return AdminResponse.json(201, users.create(email, fullName));
    }

    private AdminResponse get(AdminRequest request) {
        UUID id = request.idParam("id", "user");
        return users.find(id).map(u -> AdminResponse.json(200, u))
                .orElseThrow(() -> AdminProblem.notFound("no user with id " + id));
    }
}
