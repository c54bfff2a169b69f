package ai.dalsi.persistence.repo;

import static ai.dalsi.persistence.schema.Tables.USERS;

import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/** Portal users, as far as the gateway needs them: create and find. */
public final class UserRepository {

    private final DSLContext dsl;

    public UserRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Creates a user and returns its id. */
    public UUID insert(String email, String fullName) {
        return dsl.insertInto(USERS)
                .set(USERS.EMAIL, email)
                .set(USERS.FULL_NAME, fullName)
                .returning(USERS.ID)
                .fetchOne(USERS.ID);
    }

    /** The user with this id. */
    public Optional<User> findById(UUID id) {
        return dsl.selectFrom(USERS).where(USERS.ID.eq(id))
                .fetchOptional(r -> new User(r.getId(), r.getEmail(), r.getFullName(), r.getIsActive(),
                        r.getCreatedAt()));
    }

    /** The user with this email. */
    public Optional<User> findByEmail(String email) {
        return dsl.selectFrom(USERS).where(USERS.EMAIL.eq(email))
                .fetchOptional(r -> new User(r.getId(), r.getEmail(), r.getFullName(), r.getIsActive(),
                        r.getCreatedAt()));
    }
}
