package ai.dalsi.gateway.admin;

/** Who may call a route. */
enum Access {
    /** Anyone who reaches the admin port: health checks, and /metrics unless configured otherwise. */
    OPEN,
    /** Any active admin account or the bootstrap token. */
    ADMIN,
    /** super_admin accounts and the bootstrap token. */
    SUPER_ADMIN;

    boolean allows(Role role) {
        return switch (this) {
            case OPEN, ADMIN -> true;
            case SUPER_ADMIN -> role == Role.SUPER_ADMIN;
        };
    }
}
