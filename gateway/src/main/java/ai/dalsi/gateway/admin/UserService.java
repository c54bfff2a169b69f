package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.USERS;

import ai.dalsi.persistence.schema.tables.records.UsersRecord;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.exception.IntegrityConstraintViolationException;

/** Portal users as the admin API sees them: create, read, list and change, with their monthly budget and what is left of it. */
final class UserService {

    /**
     * A user as the API shows it. {@code monthlyBudgetUsd} spans all their keys; {@code remainingBudgetUsd}
     * is what is left of it this UTC month (null without a budget).
     */
    record UserView(UUID id, String email, String fullName, boolean isActive, BigDecimal monthlyBudgetUsd,
            BigDecimal remainingBudgetUsd, Instant createdAt, Instant updatedAt) {
        static UserView of(UsersRecord r, BigDecimal remaining) {
            return new UserView(r.getId(), r.getEmail(), r.getFullName(), r.getIsActive(), r.getMonthlyBudgetUsd(),
                    remaining, r.getCreatedAt(), r.getUpdatedAt());
        }
    }

    /** One page of users, oldest first, and whether more follow. */
    record Page(List<UserView> data, int limit, int offset, boolean hasMore) {
    }

    private final DSLContext dsl;
    private final Clock clock;
    private final RemainingBudgets budgets;

    UserService(DSLContext dsl, Clock clock, RemainingBudgets budgets) {
        this.dsl = dsl;
        this.clock = clock;
        this.budgets = budgets;
    }

    /** @param monthlyBudgetUsd USD per UTC month over all the user's keys, or null for none */
    UserView create(String email, String fullName, BigDecimal monthlyBudgetUsd) {
        Instant now = clock.instant();
        try {
            return view(dsl.insertInto(USERS)
                    .set(USERS.EMAIL, email)
                    .set(USERS.FULL_NAME, fullName)
                    .set(USERS.MONTHLY_BUDGET_USD, monthlyBudgetUsd)
                    .set(USERS.CREATED_AT, now)
                    .set(USERS.UPDATED_AT, now)
                    .returning()
                    .fetchOne());
        } catch (IntegrityConstraintViolationException e) {
            throw emailTaken(e, email);
        }
    }

    /** 409 when the violation is the email's uniqueness, else the violation itself. */
    private static RuntimeException emailTaken(IntegrityConstraintViolationException e, String email) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("users_email_key") || m.contains("users_email_lower_key")) {
            return AdminProblem.conflict("email", "email: " + email + " already belongs to another user"
                    + " (addresses are compared ignoring case)");
        }
        return e;
    }

    /**
     * Users oldest first ({@code created_at}, then id), {@code limit} from {@code offset}; with
     * {@code emailContains}, only those whose address contains it, ignoring case.
     */
    Page list(String emailContains, int limit, int offset) {
        Condition where = emailContains == null ? DSL.noCondition()
                : USERS.EMAIL.containsIgnoreCase(emailContains);
        List<UserView> rows = dsl.selectFrom(USERS).where(where).orderBy(USERS.CREATED_AT, USERS.ID)
                .limit(limit + 1).offset(offset).fetch(this::view);
        boolean more = rows.size() > limit;
        return new Page(more ? rows.subList(0, limit) : rows, limit, offset, more);
    }

    /**
     * Changes the given columns; empty when there is no such user. Deactivating a user (or changing
     * the budget) makes the V10 trigger announce every key of the user, so every node drops them
     * from its cache within a second.
     */
    Optional<UserView> change(UUID id, Map<Field<?>, Object> values, String email) {
        try {
            return dsl.update(USERS).set(values).set(USERS.UPDATED_AT, clock.instant()).where(USERS.ID.eq(id))
                    .returning().fetchOptional().map(this::view);
        } catch (IntegrityConstraintViolationException e) {
            throw emailTaken(e, email);
        }
    }

    Optional<UserView> find(UUID id) {
        return dsl.selectFrom(USERS).where(USERS.ID.eq(id)).fetchOptional(this::view);
    }

    private UserView view(UsersRecord r) {
        return UserView.of(r, budgets.user(r.getId(), r.getMonthlyBudgetUsd()));
    }
}
