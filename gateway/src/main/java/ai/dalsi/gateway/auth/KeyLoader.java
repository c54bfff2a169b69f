package ai.dalsi.gateway.auth;

import ai.dalsi.persistence.repo.StoredKey;
import java.util.Optional;

/** Loads a stored key by its hash (blocking: called on the key-load executor, never on an event loop). */
@FunctionalInterface
public interface KeyLoader {

    Optional<StoredKey> findByHash(String keyHash);
}
