package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.error.Echo;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code /admin/accounts}, super_admin only: the admin accounts themselves.
 *
 * <ul>
 *   <li>{@code GET /admin/accounts}: every account with its role, state and last login (time and
 *       address), by username; never a password or its hash;</li>
 *   <li>{@code POST /admin/accounts}: {@code username}, {@code password}, {@code role} (default
 *       {@code admin}), {@code full_name}, {@code email}; 409 naming the field for a taken
 *       username or email;</li>
 *   <li>{@code PATCH /admin/accounts/{id}}: {@code is_active}, {@code role}, {@code password}. The
 *       last active super_admin cannot be disabled or demoted (409). A new password or a disabled
 *       account ends the account's remembered logins at once.</li>
 * </ul>
 */
final class AccountRoutes {

    private static final Set<String> CREATE_FIELDS = Set.of("username", "password", "role", "full_name", "email");
    private static final Set<String> PATCH_FIELDS = Set.of("is_active", "role", "password");
    /** Usable in HTTP Basic (no ':') and in logs (no spaces or controls). */
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}");
    private static final Set<String> ROLES = Set.of(Role.ADMIN.dbValue(), Role.SUPER_ADMIN.dbValue());

    private final AccountService accounts;

    AccountRoutes(AccountService accounts) {
        this.accounts = accounts;
    }

    void register(Router router) {
        router.add("GET", "/admin/accounts", Access.SUPER_ADMIN,
                r -> AdminResponse.json(200, Map.of("data", accounts.list())));
        router.add("POST", "/admin/accounts", Access.SUPER_ADMIN, this::create);
        router.add("PATCH", "/admin/accounts/{id}", Access.SUPER_ADMIN, this::patch);
    }

    private AdminResponse create(AdminRequest request) {
        JsonInput in = JsonInput.of(request.body(), CREATE_FIELDS);
        String username = in.requiredText("username", 100);
        if (!USERNAME.matcher(username).matches()) {
            throw AdminProblem.badInput("username", "username: " + Echo.text(username)
                    + " (expected: letters, digits, '.', '_', '@', '+' or '-', starting with a letter or digit)");
        }
        String password = password(in, true);
        Role role = role(in);
        String fullName = in.text("full_name", 200);
        String email = in.text("email", Validation.MAX_EMAIL_LENGTH);
        if (email != null) {
            email = Validation.email("email", email);
        }
        return AdminResponse.json(201, accounts.create(username, role == null ? Role.ADMIN : role, password, fullName,
                email));
    }

    private AdminResponse patch(AdminRequest request) {
        UUID id = request.idParam("id", "account");
        JsonInput in = JsonInput.of(request.body(), PATCH_FIELDS);
        for (String f : PATCH_FIELDS) {
            if (in.isNull(f)) {
                throw AdminProblem.badInput(f, f + ": null (expected: a value; this setting cannot be cleared)");
            }
        }
        AccountService.Change change = new AccountService.Change(in.bool("is_active"), role(in), password(in, false));
        if (change.active() == null && change.role() == null && change.password() == null) {
            throw AdminProblem.badInput("body", "body: no field to change (expected: is_active, role or password)");
        }
        return accounts.change(id, change).map(a -> AdminResponse.json(200, a))
                .orElseThrow(() -> AdminProblem.notFound("no account with id " + id));
    }

    private static Role role(JsonInput in) {
        String role = Validation.oneOf("role", in.text("role", 32), ROLES);
        return role == null ? null : Role.ofDbValue(role);
    }

    /** The password as given (not stripped: spaces may be part of it), checked for bcrypt. */
    private static String password(JsonInput in, boolean required) {
        if (!in.has("password")) {
            if (required) {
                throw AdminProblem.badInput("password", "password: missing (expected: at least "
                        + AdminAccounts.MIN_PASSWORD_LENGTH + " characters)");
            }
            return null;
        }
        String password = in.rawText("password");
        String problem = AdminAccounts.passwordProblem(password);
        if (problem != null) {
            throw AdminProblem.badInput("password", problem);
        }
        return password;
    }
}
