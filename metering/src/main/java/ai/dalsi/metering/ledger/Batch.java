package ai.dalsi.metering.ledger;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.repo.UsageRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The events of one transaction, with ids unique among them (a duplicate would otherwise count
 * twice in the totals), converted to rows once so that retries reuse them.
 */
record Batch(List<UsageEvent> events, List<UsageRow> rows) {

    static Batch of(List<UsageEvent> events) {
        Map<UUID, UsageEvent> unique = new LinkedHashMap<>();
        for (UsageEvent e : events) {
            unique.putIfAbsent(e.requestId(), e);
        }
        List<UsageEvent> list = new ArrayList<>(unique.values());
        List<UsageRow> rows = new ArrayList<>(list.size());
        for (UsageEvent e : list) {
            rows.add(UsageRows.row(e));
        }
        return new Batch(list, rows);
    }

    int size() {
        return events.size();
    }

    Batch slice(int from, int to) {
        return new Batch(events.subList(from, to), rows.subList(from, to));
    }
}
