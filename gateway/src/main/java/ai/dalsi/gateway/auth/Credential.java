package ai.dalsi.gateway.auth;

/**
 * What a request presented as its API key, decided from the headers alone (no cache, no
 * database): nothing, something that cannot be a key, or a well-formed key (as its hash).
 */
public sealed interface Credential {

    /** No {@code Authorization: Bearer} and no {@code x-api-key}. */
    record Missing() implements Credential {
    }

    /** Something that is not a well-formed key (wrong length, prefix, alphabet or checksum, or another scheme). */
    record Malformed() implements Credential {
    }

    /**
     * A well-formed key, to be looked up by its hash.
     *
     * @param keyHash     hex SHA-256 of the key
     * @param environment the environment its prefix names
     */
    record Presented(String keyHash, KeyEnvironment environment) implements Credential {
    }

    Missing MISSING = new Missing();
    Malformed MALFORMED = new Malformed();
}
