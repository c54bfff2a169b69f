package ai.dalsi.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * Decides who an admin request comes from: {@code Authorization: Bearer <token>} against the
 * configured bootstrap token (super_admin), or HTTP Basic against active {@code a_users}
 * accounts. Runs on a worker thread (bcrypt and JDBC). Never logs or echoes the header.
 */
final class AdminAuthenticator {

    /** The outcome of {@link #authenticate}. */
    sealed interface Outcome permits Authenticated, Refused {
    }

    record Authenticated(Principal principal) implements Outcome {
    }

    /** 401; {@code message} is safe to show (it never repeats the credentials). */
    record Refused(String message) implements Outcome {
    }

    /** The challenge sent with every 401. */
    static final String CHALLENGE = "Basic realm=\"dalsi-admin\", charset=\"UTF-8\"";

    private final byte[] tokenDigest;
    private final AdminAccounts accounts;

    /**
     * @param token    the bootstrap token, or null when token authentication is disabled
     * @param accounts admin accounts for Basic authentication
     */
    AdminAuthenticator(String token, AdminAccounts accounts) {
        this.tokenDigest = token == null ? null : sha256(token);
        this.accounts = accounts;
    }

    Outcome authenticate(String authorization, String clientIp) {
        if (authorization == null || authorization.isBlank()) {
            return new Refused("missing credentials (expected: Authorization: Bearer <admin token> or Basic)");
        }
        String header = authorization.strip();
        int space = header.indexOf(' ');
        String scheme = (space < 0 ? header : header.substring(0, space)).toLowerCase(Locale.ROOT);
        String value = space < 0 ? "" : header.substring(space + 1).strip();
        return switch (scheme) {
            case "bearer" -> bearer(value);
            case "basic" -> basic(value, clientIp);
            default -> new Refused("unsupported authorization scheme (expected: Bearer or Basic)");
        };
    }

    private Outcome bearer(String token) {
        // Digests of equal length make the comparison independent of the token's length, too.
        if (tokenDigest != null && !token.isEmpty() && MessageDigest.isEqual(tokenDigest, sha256(token))) {
            return new Authenticated(Principal.BOOTSTRAP_TOKEN);
        }
        return new Refused("invalid credentials");
    }

    private Outcome basic(String encoded, String clientIp) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Refused("malformed Basic credentials (expected: base64 of username:password)");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return new Refused("malformed Basic credentials (expected: base64 of username:password)");
        }
        return accounts.verify(decoded.substring(0, colon), decoded.substring(colon + 1), clientIp)
                .<Outcome>map(v -> new Authenticated(new Principal(v.id(), v.username(), v.role())))
                .orElseGet(() -> new Refused("invalid credentials"));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
