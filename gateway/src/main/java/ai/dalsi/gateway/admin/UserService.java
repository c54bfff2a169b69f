package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.USERS;

import ai.dalsi.persistence.schema.tables.records.UsersRecord;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.IntegrityConstraintViolationException;

/** Portal users as the admin API sees them: create and read, with their monthly budget and what is left of it. */
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
            String m = String.valueOf(e.getMessage());
            if (m.contains("users_email_key") || m.contains("users_email_lower_key")) {
                throw AdminProblem.conflict("email", "email: " + email + " already belongs to another user"
                        + " (addresses are compared ignoring case)");
            }
            throw e;
        }
    }

    Optional<UserView> find(UUID id) {
        return dsl.selectFrom(USERS).where(USERS.ID.eq(id)).fetchOptional(this::view);
    }

    private UserView view(UsersRecord r) {
        return UserView.of(r, budgets.user(r.getId(), r.getMonthlyBudgetUsd()));
    }
}
