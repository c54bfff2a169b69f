package ai.dalsi.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.UuidV7;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Refusals summed per key, hour, endpoint, model and status, whatever order they come in. */
class RefusalGroupsTest {

    private static final UUID USER = UUID.randomUUID();
    private static final Instant T = Instant.parse("2026-11-20T10:59:58Z");

    private static UsageEvent refused(UUID key, Instant at, String endpoint, String model, int status) {
        return UsageEvent.builder(UuidV7.at(at), USER, key).endpoint(endpoint).model(model).statusCode(status)
                .refused(true).build();
    }

    @Test
    void runsAndInterleavedRefusalsLandInTheirOwnGroups() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        String chat = "/v1/chat/completions";
        List<UsageEvent> events = List.of(
                refused(a, T, chat, "dalsi-chat", 429),
                refused(a, T.plusMillis(1), chat, "dalsi-chat", 429),
                refused(b, T.plusMillis(2), chat, "dalsi-chat", 429), // another key
                refused(a, T.plusMillis(3), chat, "dalsi-chat", 429), // back to the first group
                refused(a, T.plusSeconds(2), chat, "dalsi-chat", 429), // the next hour
                refused(a, T.plusSeconds(2), chat, "dalsi-chat", 403), // another status
                refused(a, T.plusSeconds(2), "/v1/images/generations", "dalsi-chat", 403), // another endpoint
                refused(a, T.plusSeconds(2), "/v1/images/generations", null, 403), // no model
                refused(a, T.plusSeconds(3), "/v1/images/generations", null, 403),
                refused(a, T.plusMillis(4), chat, "dalsi-chat", 429)); // the first group once more
        RefusalGroups groups = new RefusalGroups();
        events.forEach(groups::add);
        Instant ten = Instant.parse("2026-11-20T10:00:00Z");
        Instant eleven = Instant.parse("2026-11-20T11:00:00Z");
        assertThat(groups.all()).extracting(g -> g.endpoint, g -> g.model, g -> g.hour, g -> g.status, g -> g.count)
                .containsExactly(
                        tuple(chat, "dalsi-chat", ten, 429, 4L),
                        tuple(chat, "dalsi-chat", ten, 429, 1L),
                        tuple(chat, "dalsi-chat", eleven, 429, 1L),
                        tuple(chat, "dalsi-chat", eleven, 403, 1L),
                        tuple("/v1/images/generations", "dalsi-chat", eleven, 403, 1L),
                        tuple("/v1/images/generations", "", eleven, 403, 2L));
        List<RefusalGroups.Group> all = List.copyOf(groups.all());
        assertThat(all.get(0).newest).isSameAs(events.get(9));
        assertThat(all.get(1).newest).isSameAs(events.get(2));
        assertThat(all.get(5).newest).isSameAs(events.get(8));
    }

    @Test
    void lastEventPerMonthTakesTheLatestOfEachUtcMonthInAnyOrder() {
        UUID key = UUID.randomUUID();
        List<Instant> at = List.of(Instant.parse("2026-12-05T00:00:00Z"), Instant.parse("2026-11-30T23:59:59Z"),
                Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-03T00:00:00Z"),
                Instant.parse("2026-11-02T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"),
                Instant.parse("2026-12-07T00:00:00Z"), Instant.parse("2026-12-06T00:00:00Z"));
        Map<java.time.YearMonth, Instant> months = BudgetNotices.lastEventPerMonth(
                at.stream().map(i -> refused(key, i, "/v1/chat/completions", "dalsi-chat", 200)).toList());
        assertThat(months).containsExactly(
                Map.entry(java.time.YearMonth.of(2026, 11), Instant.parse("2026-11-30T23:59:59Z")),
                Map.entry(java.time.YearMonth.of(2026, 12), Instant.parse("2026-12-07T00:00:00Z")),
                Map.entry(java.time.YearMonth.of(2027, 1), Instant.parse("2027-01-01T00:00:00Z")));
        assertThat(BudgetNotices.lastEventPerMonth(List.of())).isEmpty();
    }
}
