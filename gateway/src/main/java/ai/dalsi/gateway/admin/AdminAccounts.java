package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.A_USERS;

import ai.dalsi.persistence.schema.tables.records.AUsersRecord;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Admin accounts ({@code a_users}): creation with a bcrypt password hash, and password checks for
 * HTTP Basic authentication. Passwords are never stored, logged or returned; only their bcrypt
 * hashes are.
 */
public final class AdminAccounts {

    /** Shortest password accepted. */
    public static final int MIN_PASSWORD_LENGTH = 12;
    /** bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so they are refused. */
    public static final int MAX_PASSWORD_BYTES = 72;

    /** The outcome of {@link #create}. */
    public sealed interface Created permits Done, DuplicateUsername {
    }

    /** The account exists now, with this id. */
    public record Done(UUID id) implements Created {
    }

    /** Another account already has the username. */
    public record DuplicateUsername(String username) implements Created {
    }

    /** An active account whose password matched; {@code passwordHash} identifies the password it matched. */
    record Verified(UUID id, String username, Role role, String passwordHash) {
    }

    private final DSLContext dsl;
    private final Clock clock;
    private final BCryptPasswordEncoder encoder;
    // Checked when the username is unknown, so a miss costs as much time as a wrong password.
    private final String dummyHash;

    public AdminAccounts(DSLContext dsl, Clock clock) {
        this.dsl = dsl;
        this.clock = clock;
        this.encoder = new BCryptPasswordEncoder();
        this.dummyHash = encoder.encode("not-a-password-of-anyone");
    }

    /**
     * Why the password cannot be used, or null when it can.
     */
    public static String passwordProblem(String password) {
        if (password == null || password.isEmpty()) {
            return "password: empty (expected: at least " + MIN_PASSWORD_LENGTH + " characters)";
        }
        if (password.codePointCount(0, password.length()) < MIN_PASSWORD_LENGTH) {
            return "password: too short (expected: at least " + MIN_PASSWORD_LENGTH + " characters)";
        }
        if (password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            return "password: too long (expected: at most " + MAX_PASSWORD_BYTES + " bytes, bcrypt's limit)";
        }
        if (password.isBlank()) {
            return "password: only whitespace (expected: a real password)";
        }
        return null;
    }

    /**
     * Creates an active account.
     *
     * @throws IllegalArgumentException when the username is blank or the password unusable (see
     *         {@link #passwordProblem})
     */
    public Created create(String username, Role role, String password, String fullName, String email) {
        if (username == null || username.isBlank() || username.length() > 100) {
            throw new IllegalArgumentException("username: missing or longer than 100 characters");
        }
        String problem = passwordProblem(password);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        String hash = encoder.encode(password);
        try {
            UUID id = dsl.insertInto(A_USERS)
                    .set(A_USERS.USERNAME, username.strip())
                    .set(A_USERS.PASSWORD_HASH, hash)
                    .set(A_USERS.ROLE, role.dbValue())
                    .set(A_USERS.FULL_NAME, fullName)
                    .set(A_USERS.EMAIL, email)
                    .set(A_USERS.CREATED_AT, clock.instant())
                    .set(A_USERS.UPDATED_AT, clock.instant())
                    .returning(A_USERS.ID)
                    .fetchOne(A_USERS.ID);
            return new Done(id);
        } catch (IntegrityConstraintViolationException e) {
            if (String.valueOf(e.getMessage()).contains("a_users_username_key")) {
                return new DuplicateUsername(username.strip());
            }
            throw e;
        }
    }

    /**
     * The bcrypt hash of a new password (slow: never on a thread that serves requests).
     *
     * @throws IllegalArgumentException when the password is unusable ({@link #passwordProblem})
     */
    String hash(String password) {
        String problem = passwordProblem(password);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return encoder.encode(password);
    }

    /**
     * The active account with this username and password, recording the login; empty when the
     * username is unknown, the account inactive or the password wrong (indistinguishable to the
     * caller, and in time). Costs one bcrypt check: never call it on a thread that serves requests.
     */
    Optional<Verified> verify(String username, String password, String clientIp) {
        AUsersRecord account = dsl.selectFrom(A_USERS).where(A_USERS.USERNAME.eq(username)).fetchOne();
        boolean matches = encoder.matches(password, account == null ? dummyHash : account.getPasswordHash());
        if (account == null || !matches) {
            return Optional.empty();
        }
        return loggedIn(account, clientIp);
    }

    /**
     * The account of a login verified earlier, if it is still active with the same password hash
     * (so a deactivation or a new password ends a remembered login), recording the login.
     */
    Optional<Verified> confirm(UUID id, String passwordHash, String clientIp) {
        AUsersRecord account = dsl.selectFrom(A_USERS).where(A_USERS.ID.eq(id)).fetchOne();
        if (account == null || !account.getPasswordHash().equals(passwordHash)) {
            return Optional.empty();
        }
        return loggedIn(account, clientIp);
    }

    private Optional<Verified> loggedIn(AUsersRecord account, String clientIp) {
        Role role = Role.ofDbValue(account.getRole());
        if (!account.getIsActive() || role == null) {
            return Optional.empty();
        }
        dsl.update(A_USERS)
                .set(A_USERS.LAST_LOGIN, clock.instant())
                .set(A_USERS.LAST_LOGIN_IP, clientIp)
                .where(A_USERS.ID.eq(account.getId()))
                .execute();
        return Optional.of(new Verified(account.getId(), account.getUsername(), role, account.getPasswordHash()));
    }
}
