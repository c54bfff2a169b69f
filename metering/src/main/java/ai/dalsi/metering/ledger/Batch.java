package ai.dalsi.metering.ledger;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.repo.UsageRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The events of one transaction, in journal order, with ids unique among them (a duplicate would
 * otherwise count twice), each with what it becomes ({@link Kind}) and where it ends in the
 * journal; converted to rows once so that retries reuse them.
 *
 * @param events    the events
 * @param kinds     per event: a counted row, a refusal's example row, or a refusal only counted
 * @param rows      per event its row, or null for a refusal only counted (never turned into a row)
 * @param positions per event the journal position just after its record (ascending)
 * @param journal   the journal the positions belong to, or null when the batch does not come from one
 *                  (then nothing is skipped as already committed)
 */
record Batch(List<UsageEvent> events, List<Kind> kinds, List<UsageRow> rows, long[] positions, UUID journal) {

    /** What an event becomes in PostgreSQL. */
    enum Kind {
        /** A row of its own, counted in the key totals and rollups: every request the edge did not refuse. */
        ROW,
        /** A refusal kept as an example row; counted through the refusal counts, not through its row. */
        SAMPLE,
        /** A refusal only counted: the refusal counts, the key totals and the rollups; no row. */
        COUNT
    }

    /** A batch not read from a journal: refusals are counted without example rows. */
    static Batch of(List<UsageEvent> events) {
        List<Kind> kinds = new ArrayList<>(events.size());
        long[] positions = new long[events.size()];
        for (int i = 0; i < events.size(); i++) {
            kinds.add(events.get(i).refused() ? Kind.COUNT : Kind.ROW);
            positions[i] = i + 1;
        }
        return of(events, kinds, positions, null);
    }

    /** The batch of these events; a repeated request id keeps its first event only. */
    static Batch of(List<UsageEvent> events, List<Kind> kinds, long[] positions, UUID journal) {
        Set<UUID> seen = HashSet.newHashSet(events.size());
        List<UsageEvent> list = new ArrayList<>(events.size());
        List<Kind> k = new ArrayList<>(events.size());
        List<UsageRow> rows = new ArrayList<>(events.size());
        long[] p = new long[events.size()];
        for (int i = 0; i < events.size(); i++) {
            UsageEvent e = events.get(i);
            if (seen.add(e.requestId())) {
                p[list.size()] = positions[i];
                list.add(e);
                k.add(kinds.get(i));
                rows.add(kinds.get(i) == Kind.COUNT ? null : UsageRows.row(e));
            }
        }
        return new Batch(list, k, rows, Arrays.copyOf(p, list.size()), journal);
    }

    int size() {
        return events.size();
    }

    Batch slice(int from, int to) {
        return new Batch(events.subList(from, to), kinds.subList(from, to), rows.subList(from, to),
                Arrays.copyOfRange(positions, from, to), journal);
    }

    /** The events journaled after {@code committed} (a position; -1 for none). */
    Batch after(long committed) {
        int from = 0;
        while (from < size() && positions[from] <= committed) {
            from++;
        }
        return from == 0 ? this : slice(from, size());
    }

    /** The journal position after the batch's last event, or -1 when it is empty. */
    long end() {
        return positions.length == 0 ? -1 : positions[positions.length - 1];
    }

    /** The keys of the batch, each once. */
    UUID[] keys() {
        Set<UUID> keys = new LinkedHashSet<>();
        UUID previous = null;
        for (UsageEvent e : events) {
            UUID key = e.apiKeyId();
            // Runs of one key's events are the rule in a batch: skip the set for them.
            if (!key.equals(previous)) {
                keys.add(key);
                previous = key;
            }
        }
        return keys.toArray(UUID[]::new);
    }

    /** How many events are only counted (no row). */
    int countedOnly() {
        int n = 0;
        for (Kind k : kinds) {
            if (k == Kind.COUNT) {
                n++;
            }
        }
        return n;
    }
}
