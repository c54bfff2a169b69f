package ai.dalsi.gateway.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Reads the API key from {@code Authorization: Bearer <key>} (preferred) or {@code x-api-key},
 * checks its format and checksum, and hashes it. Garbage never reaches the cache or the database.
 */
public final class CredentialExtractor {

    private static final String X_API_KEY = "x-api-key";
    private static final String BEARER = "bearer";

    private final KeyHasher hasher = new KeyHasher();

    /** The credential of a request with these headers. */
    public Credential extract(HttpHeaders headers) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        String key = null;
        if (authorization != null) {
            key = bearerToken(authorization);
        }
        if (key == null) {
            String apiKey = headers.get(X_API_KEY);
            if (apiKey != null) {
                key = apiKey.trim();
            } else if (authorization != null) {
                return Credential.MALFORMED;
            } else {
                return Credential.MISSING;
            }
        }
        if (key.isEmpty()) {
            return Credential.MISSING;
        }
        if (key.length() != ApiKeyFormat.LENGTH) {
            return Credential.MALFORMED;
        }
        byte[] bytes = hasher.ascii(key); // one copy, checked and then hashed
        KeyEnvironment env = bytes == null ? null : ApiKeyFormat.environmentOf(bytes, ApiKeyFormat.LENGTH);
        if (env == null) {
            return Credential.MALFORMED;
        }
        return new Credential.Presented(hasher.sha256Hex(bytes, ApiKeyFormat.LENGTH), env);
    }

    private static String bearerToken(String authorization) {
        int len = authorization.length();
        int i = 0;
        while (i < len && authorization.charAt(i) == ' ') {
            i++;
        }
        if (!authorization.regionMatches(true, i, BEARER, 0, BEARER.length())) {
            return null;
        }
        i += BEARER.length();
        if (i < len && authorization.charAt(i) != ' ') {
            return null;
        }
        while (i < len && authorization.charAt(i) == ' ') {
            i++;
        }
        int end = len;
        while (end > i && authorization.charAt(end - 1) == ' ') {
            end--;
        }
        return authorization.substring(i, end);
    }
}
