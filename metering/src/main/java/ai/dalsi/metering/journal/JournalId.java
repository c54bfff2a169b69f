package ai.dalsi.metering.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * The identity of a journal directory, kept in its file {@code journal-id}: a random UUID made
 * when the directory starts counting positions from scratch. Journal positions only grow while
 * the directory keeps its checkpoint or its segments; when both are gone positions start again,
 * and so does the identity, so that a position recorded under the old identity (the ledger's
 * "committed up to" mark in PostgreSQL) can never hide records of the new one.
 */
final class JournalId {

    static final String FILE = "journal-id";

    private JournalId() {
    }

    /**
     * Reads the directory's identity, or makes a new one when there is none or when
     * {@code positionsRestart} (no checkpoint and no segment: positions begin anew).
     */
    static UUID readOrCreate(Path dir, boolean positionsRestart) throws IOException {
        Path file = dir.resolve(FILE);
        if (!positionsRestart && Files.exists(file)) {
            try {
                return UUID.fromString(Files.readString(file, StandardCharsets.US_ASCII).strip());
            } catch (IllegalArgumentException damaged) {
                // A damaged identity is replaced. Rows stay exact (idempotent by request id); refusals journaled
                // after the checkpoint whose batch was already committed would be counted again, a loss of
                // exactness only in that double fault (checkpoint behind, identity file damaged).
            }
        }
        UUID id = UUID.randomUUID();
        Path temp = dir.resolve(FILE + ".tmp");
        Files.writeString(temp, id + "\n", StandardCharsets.US_ASCII);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return id;
    }
}
