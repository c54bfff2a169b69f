package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.USERS;

import ai.dalsi.persistence.schema.tables.records.UsersRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.IntegrityConstraintViolationException;

/** Portal users as the admin API sees them: create and read. */
final class UserService {

    /** A user as the API shows it. */
    record UserView(UUID id, String email, String fullName, boolean isActive, Instant createdAt, Instant updatedAt) {
        static UserView of(UsersRecord r) {
            return new UserView(r.getId(), r.getEmail(), r.getFullName(), r.getIsActive(), r.getCreatedAt(),
                    r.getUpdatedAt());
        }
    }

    private final DSLContext dsl;
    private final Clock clock;

    UserService(DSLContext dsl, Clock clock) {
        this.dsl = dsl;
        this.clock = clock;
    }

    UserView create(String email, String fullName) {
        Instant now = clock.instant();
        try {
            return UserView.of(dsl.insertInto(USERS)
                    .set(USERS.EMAIL, email)
                    .set(USERS.FULL_NAME, fullName)
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
        return dsl.selectFrom(USERS).where(USERS.ID.eq(id)).fetchOptional(UserView::of);
    }
}
