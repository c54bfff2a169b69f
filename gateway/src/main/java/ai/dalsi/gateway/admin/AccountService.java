package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.A_USERS;

import ai.dalsi.persistence.schema.tables.records.AUsersRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;

/**
 * Admin accounts ({@code a_users}) as the admin API manages them: list, create, and change
 * {@code is_active}, {@code role} and the password. Never returns a password hash.
 *
 * <p>There is always an active super_admin: a change that would disable or demote the last one is
 * refused (409). Changes that could do so take one transaction-scoped advisory lock
 * ({@link #LOCK}), so two admins demoting the last two super_admins at once cannot both pass the
 * check: the second sees the first's commit.
 */
final class AccountService {

    /** The advisory lock key that serialises changes to who is an active super_admin. */
    static final long LOCK = 0x615f7573657273L; // "a_users"

    /** An account as the API shows it. */
    record AccountView(UUID id, String username, String fullName, String email, String role, boolean isActive,
            Instant lastLogin, String lastLoginIp, Instant createdAt, Instant updatedAt) {
        static AccountView of(AUsersRecord r) {
            return new AccountView(r.getId(), r.getUsername(), r.getFullName(), r.getEmail(), r.getRole(),
                    r.getIsActive(), r.getLastLogin(), r.getLastLoginIp(), r.getCreatedAt(), r.getUpdatedAt());
        }
    }

    /** What a PATCH asks for; null fields stay as they are. */
    record Change(Boolean active, Role role, String password) {
    }

    private final DSLContext dsl;
    private final Clock clock;
    private final AdminAccounts accounts;

    AccountService(DSLContext dsl, Clock clock, AdminAccounts accounts) {
        this.dsl = dsl;
        this.clock = clock;
        this.accounts = accounts;
    }

    List<AccountView> list() {
        return dsl.selectFrom(A_USERS).orderBy(A_USERS.USERNAME).fetch(AccountView::of);
    }

    AccountView create(String username, Role role, String password, String fullName, String email) {
        AdminAccounts.Created created;
        try {
            created = accounts.create(username, role, password, fullName, email);
        } catch (IntegrityConstraintViolationException e) {
            if (String.valueOf(e.getMessage()).contains("a_users_email_key")) {
                throw AdminProblem.conflict("email", "email: " + email + " already belongs to another admin account");
            }
            throw e;
        }
        return switch (created) {
            case AdminAccounts.Done d -> dsl.selectFrom(A_USERS).where(A_USERS.ID.eq(d.id())).fetchOne(AccountView::of);
            case AdminAccounts.DuplicateUsername dup -> throw AdminProblem.conflict("username",
                    "username: " + dup.username() + " already belongs to another admin account");
        };
    }

    /** Applies the change; empty when there is no such account. */
    Optional<AccountView> change(UUID id, Change change) {
        // bcrypt is slow: hash before the transaction, not while holding the lock.
        String hash = change.password() == null ? null : accounts.hash(change.password());
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            tx.execute("SELECT pg_advisory_xact_lock(?)", LOCK);
            AUsersRecord account = tx.selectFrom(A_USERS).where(A_USERS.ID.eq(id)).forUpdate().fetchOne();
            if (account == null) {
                return Optional.<AccountView>empty();
            }
            boolean activeSuper = account.getIsActive() && Role.ofDbValue(account.getRole()) == Role.SUPER_ADMIN;
            boolean staysActiveSuper = (change.active() == null || change.active())
                    && (change.role() == null || change.role() == Role.SUPER_ADMIN);
            if (activeSuper && !staysActiveSuper) {
                int supers = tx.fetchCount(A_USERS, A_USERS.IS_ACTIVE.isTrue()
                        .and(DSL.lower(A_USERS.ROLE).eq(Role.SUPER_ADMIN.dbValue())));
                if (supers <= 1) {
                    String what = change.active() != null && !change.active() ? "disabled" : "demoted";
                    throw AdminProblem.conflict(change.active() != null && !change.active() ? "is_active" : "role",
                            "account " + account.getUsername() + " is the last active super_admin and cannot be "
                                    + what + "; make another account super_admin first");
                }
            }
            var update = tx.update(A_USERS).set(A_USERS.UPDATED_AT, clock.instant());
            if (change.active() != null) {
                update = update.set(A_USERS.IS_ACTIVE, change.active());
            }
            if (change.role() != null) {
                update = update.set(A_USERS.ROLE, change.role().dbValue());
            }
            if (hash != null) {
                update = update.set(A_USERS.PASSWORD_HASH, hash);
            }
            return update.where(A_USERS.ID.eq(id)).returning().fetchOptional().map(AccountView::of);
        });
    }
}
