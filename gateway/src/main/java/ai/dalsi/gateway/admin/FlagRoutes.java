package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.error.Echo;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code /admin/flags}: any admin reads, only super_admin sets (the policy of catalog writes: a
 * kill switch takes a product off the air just as deactivating it does).
 *
 * <ul>
 *   <li>{@code GET /admin/flags}: every flag, by name;</li>
 *   <li>{@code PUT /admin/flags}: sets the flag named in the body, creating it if needed (200, or
 *       201 when created). {@code is_enabled} is required; {@code rollout_percentage} defaults to
 *       100 (every key): the column's default of 0 would make a new switch apply to nobody;</li>
 *   <li>{@code PATCH /admin/flags/{id}}: changes the fields given. By id, not name: model names may
 *       contain {@code /}, which a path segment cannot carry.</li>
 * </ul>
 *
 * Every node honours a change within a second (the V13 trigger announces it).
 */
final class FlagRoutes {

    private static final Set<String> PUT_FIELDS = Set.of("name", "is_enabled", "rollout_percentage", "description");
    private static final Set<String> PATCH_FIELDS = Set.of("is_enabled", "rollout_percentage", "description");
    /**
     * {@code maintenance}, {@code product:<product name>}, {@code model:<model name>}, or another
     * name of the same shape (flags the portal reads); the parts use the catalog's name rules.
     */
    private static final Pattern NAME =
            Pattern.compile("[a-z][a-z0-9._-]{0,63}(:[A-Za-z0-9][A-Za-z0-9._:/-]{0,127})?");
    private static final int MAX_DESCRIPTION = 1000;

    private final FlagService flags;

    FlagRoutes(FlagService flags) {
        this.flags = flags;
    }

    void register(Router router) {
        router.add("GET", "/admin/flags", Access.ADMIN, r -> AdminResponse.json(200, Map.of("data", flags.list())));
        router.add("PUT", "/admin/flags", Access.SUPER_ADMIN, this::put);
        router.add("PATCH", "/admin/flags/{id}", Access.SUPER_ADMIN, this::patch);
    }

    private AdminResponse put(AdminRequest request) {
        JsonInput in = JsonInput.of(request.body(), PUT_FIELDS);
        String name = in.requiredText("name", 200);
        if (!NAME.matcher(name).matches()) {
            throw AdminProblem.badInput("name", "name: " + Echo.text(name) + " (expected: maintenance,"
                    + " product:<product name>, model:<model name>, or lower case letters, digits, '.', '_', '-'"
                    + " with an optional ':' and suffix)");
        }
        if (!in.has("is_enabled") || in.isNull("is_enabled")) {
            throw AdminProblem.badInput("is_enabled", "is_enabled: missing (expected: true or false)");
        }
        boolean enabled = in.bool("is_enabled");
        Integer percent = in.intBetween("rollout_percentage", 0, 100);
        String description = in.text("description", MAX_DESCRIPTION);
        FlagService.Saved saved = flags.put(name, enabled, percent == null ? 100 : percent, description);
        return AdminResponse.json(saved.created() ? 201 : 200, saved.flag());
    }

    private AdminResponse patch(AdminRequest request) {
        UUID id = request.idParam("id", "flag");
        JsonInput in = JsonInput.of(request.body(), PATCH_FIELDS);
        if (in.isNull("is_enabled")) {
            throw AdminProblem.badInput("is_enabled", "is_enabled: null (expected: true or false)");
        }
        if (in.isNull("rollout_percentage")) {
            throw AdminProblem.badInput("rollout_percentage", "rollout_percentage: null (expected: an integer from 0 to 100)");
        }
        Boolean enabled = in.bool("is_enabled");
        Integer percent = in.intBetween("rollout_percentage", 0, 100);
        boolean clearDescription = in.isNull("description");
        String description = in.text("description", MAX_DESCRIPTION);
        if (enabled == null && percent == null && description == null && !clearDescription) {
            throw AdminProblem.badInput("body", "body: no field to change");
        }
        return flags.patch(id, enabled, percent, description, clearDescription)
                .map(f -> AdminResponse.json(200, f))
                .orElseThrow(() -> AdminProblem.notFound("no flag with id " + id));
    }
}
