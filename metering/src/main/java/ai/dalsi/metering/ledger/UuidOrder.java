package ai.dalsi.metering.ledger;

import java.util.Comparator;
import java.util.UUID;

/** Orders of uuids. */
final class UuidOrder {

    /**
     * PostgreSQL's order of {@code uuid} (bytes compared unsigned, most significant first), which
     * is not {@link UUID#compareTo} (signed halves). Lock and upsert orders use it so that they
     * match {@code ORDER BY id}.
     */
    static final Comparator<UUID> POSTGRES = (a, b) -> {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    };

    private UuidOrder() {
    }
}
