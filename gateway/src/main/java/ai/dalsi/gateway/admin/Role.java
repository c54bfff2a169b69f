package ai.dalsi.gateway.admin;

import java.util.Locale;

/**
 * What an admin account may do ({@code a_users.role}). {@code admin} manages users and keys and
 * reads everything but the admin accounts; {@code super_admin} also writes products, models and
 * feature flags, and manages the admin accounts. The bootstrap token counts as {@code super_admin}.
 */
public enum Role {
    ADMIN("admin"),
    SUPER_ADMIN("super_admin");

    private final String dbValue;

    Role(String dbValue) {
        this.dbValue = dbValue;
    }

    /** The value stored in {@code a_users.role}. */
    public String dbValue() {
        return dbValue;
    }

    /** The role stored as {@code value} (case-insensitive), or null if there is none. */
    public static Role ofDbValue(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (Role r : values()) {
            if (r.dbValue.equals(v)) {
                return r;
            }
        }
        return null;
    }
}
