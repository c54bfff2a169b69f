package ai.dalsi.persistence.repo;

import java.time.Instant;
import java.util.UUID;

/** A portal user. */
public record User(UUID id, String email, String fullName, boolean active, Instant createdAt) {
}
