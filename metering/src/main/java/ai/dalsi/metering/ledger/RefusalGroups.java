package ai.dalsi.metering.ledger;

import ai.dalsi.metering.UsageEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A batch's refused requests summed per key, hour, endpoint, model and status: what the batch adds
 * to {@code api_usage_refusals}, and, with the rows, to the key totals and hourly rollups. Each
 * group remembers its newest request (the highest id in PostgreSQL's order, as the rows' newest is
 * chosen) for the key's {@code last_used_*}. Used by the writer thread alone.
 */
final class RefusalGroups {

    /** One group: how many requests, their tokens and cost (0 for refusals), the newest of them. */
    static final class Group {
        final UUID apiKeyId;
        final String endpoint;
        final String model;
        final Instant hour;
        final int status;
        long count;
        long tokens;
        BigDecimal cost = BigDecimal.ZERO;
        UsageEvent newest;

        private Group(UUID apiKeyId, String endpoint, String model, Instant hour, int status) {
            this.apiKeyId = apiKeyId;
            this.endpoint = endpoint;
            this.model = model;
            this.hour = hour;
            this.status = status;
        }
    }

    private record Id(UUID apiKeyId, String endpoint, String model, Instant hour, int status) {
    }

    private final Map<Id, Group> groups = new LinkedHashMap<>();
    /** The group of the previous refusal: runs of alike refusals skip the map. */
    private Group last;

    void add(UsageEvent e) {
        UUID key = e.apiKeyId();
        String endpoint = UsageRows.keyText(e.endpoint());
        String model = UsageRows.rollupModel(e);
        Instant hour = e.createdAt().truncatedTo(ChronoUnit.HOURS);
        int status = e.statusCode();
        Group g = last;
        if (g == null || g.status != status || !g.hour.equals(hour) || !g.apiKeyId.equals(key)
                || !Objects.equals(g.endpoint, endpoint) || !Objects.equals(g.model, model)) {
            g = groups.computeIfAbsent(new Id(key, endpoint, model, hour, status),
                    i -> new Group(i.apiKeyId(), i.endpoint(), i.model(), i.hour(), i.status()));
            last = g;
        }
        g.count++;
        g.tokens += e.usage().totalTokens();
        g.cost = g.cost.add(e.costUsd());
        if (g.newest == null || UuidOrder.POSTGRES.compare(e.requestId(), g.newest.requestId()) > 0) {
            g.newest = e;
        }
    }

    Collection<Group> all() {
        return groups.values();
    }
}
