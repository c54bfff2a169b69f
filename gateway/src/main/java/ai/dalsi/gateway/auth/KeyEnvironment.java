package ai.dalsi.gateway.auth;

/** Which deployment a key belongs to: its prefix and the {@code api_keys.environment} value. */
public enum KeyEnvironment {
    PRODUCTION("production", "dsk_live_"),
    DEVELOPMENT("development", "dsk_test_");

    private final String dbValue;
    private final String keyPrefix;

    KeyEnvironment(String dbValue, String keyPrefix) {
        this.dbValue = dbValue;
        this.keyPrefix = keyPrefix;
    }

    /** The value stored in {@code api_keys.environment}. */
    public String dbValue() {
        return dbValue;
    }

    /** The literal every key of this environment starts with. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** The environment stored as {@code value}, or null if none is. */
    public static KeyEnvironment ofDbValue(String value) {
        for (KeyEnvironment e : values()) {
            if (e.dbValue.equals(value)) {
                return e;
            }
        }
        return null;
    }
}
