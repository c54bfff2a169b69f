package ai.dalsi.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jooq.Record2;
import org.jooq.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The staged rows' instants as the writer formats them mean to PostgreSQL exactly what the ISO
 * text of {@link Instant#toString()} means, microsecond rounding included, for instants in many
 * hours and in the same hour one after another (the cached date and hour).
 */
@ExtendWith(FreshDatabaseExtension.class)
class CsvInstantsIT {

    private final TestDatabase db;

    CsvInstantsIT(TestDatabase db) {
        this.db = db;
    }

    @Test
    void postgresqlReadsTheWritersTextAsTheIsoTextOfTheSameInstant() {
        SplittableRandom random = new SplittableRandom(20261205);
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.999999999Z"),
                Instant.parse("2026-12-31T23:59:59.9999995Z"), Instant.parse("2028-02-29T12:00:00.000000500Z"),
                Instant.parse("2026-12-05T00:00:00Z"), Instant.parse("2026-12-05T00:59:59.000001Z")));
        for (int i = 0; i < 500; i++) {
            long seconds = random.nextLong(-2_000_000_000L, 4_000_000_000L);
            int nanos = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(seconds, nanos);
            instants.add(t);
            instants.add(t.plusNanos(random.nextLong(1, 3_600_000_000_000L))); // often the same hour
        }
        CsvInstants csv = new CsvInstants();
        StringBuilder text = new StringBuilder();
        List<String> ours = new ArrayList<>();
        for (Instant t : instants) {
            text.setLength(0);
            csv.append(text, t);
            ours.add(text.toString());
        }
        Result<Record2<OffsetDateTime, OffsetDateTime>> read = db.dsl().resultQuery(
                "select ours::timestamptz, iso::timestamptz from unnest(?::text[], ?::text[]) with ordinality"
                        + " as t(ours, iso, n) order by n",
                ours.toArray(String[]::new), instants.stream().map(Instant::toString).toArray(String[]::new))
                .coerce(org.jooq.impl.DSL.field("ours", OffsetDateTime.class),
                        org.jooq.impl.DSL.field("iso", OffsetDateTime.class))
                .fetch();
        assertThat(read).hasSize(instants.size());
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).value1().toInstant()).as("%s written as %s", instants.get(i), ours.get(i))
                    .isEqualTo(read.get(i).value2().toInstant());
        }
        StringBuilder none = new StringBuilder();
        csv.append(none, null);
        assertThat(none).as("NULL is nothing").isEmpty();
    }
}
