package ai.dalsi.gateway.admin;

import java.util.UUID;

/**
 * Who made an admin request.
 *
 * @param id       the {@code a_users} id, or null for the bootstrap token
 * @param name     username, or {@code token} for the bootstrap token; safe to log
 * @param role     what it may do
 */
record Principal(UUID id, String name, Role role) {

    static final Principal BOOTSTRAP_TOKEN = new Principal(null, "token", Role.SUPER_ADMIN);
}
