package ai.dalsi.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.jooq.Record;
import org.jooq.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * What the writer's binary COPY lines ({@link CopyBinary}) mean to PostgreSQL is exactly what the
 * text of the same values means: each line carries a value in binary and, beside it, its text, and
 * PostgreSQL compares the two.
 */
@ExtendWith(FreshDatabaseExtension.class)
class CopyBinaryIT {

    private final TestDatabase db;

    CopyBinaryIT(TestDatabase db) {
        this.db = db;
    }

    @Test
    void instantsAreReadAsTheirIsoTextToTheMicrosecondRoundingIncluded() {
        SplittableRandom random = new SplittableRandom(20261206);
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.999999999Z"),
                Instant.parse("2026-12-31T23:59:59.9999995Z"), Instant.parse("2028-02-29T12:00:00.000000500Z"),
                Instant.parse("2026-12-05T00:00:00.0000015Z"), Instant.parse("2026-12-05T00:00:00.0000025Z"),
                Instant.parse("2000-01-01T00:00:00Z"), Instant.parse("1999-12-31T23:59:59.9999999Z")));
        for (int i = 0; i < 2000; i++) {
            long seconds = random.nextLong(-2_000_000_000L, 4_000_000_000L);
            int nanos = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000 + 500; // exactly between two microseconds
                default -> random.nextInt(1_000_000_000);
            };
            instants.add(Instant.ofEpochSecond(seconds, nanos));
        }
        db.dsl().execute("CREATE TABLE t (n int, ours timestamptz, iso text)");
        CopyBinary out = new CopyBinary(0);
        for (int i = 0; i < instants.size(); i++) {
            out.line(3).int4(i).timestamptz(instants.get(i)).text(instants.get(i).toString());
        }
        out.line(3).int4(-1).timestamptz(null).text(null);
        copy("t", out.finish());

        assertThat(mismatches("SELECT n, ours::text, iso FROM t WHERE ours IS DISTINCT FROM iso::timestamptz"))
                .isEmpty();
        assertThat(count("SELECT count(*) FROM t")).isEqualTo(instants.size() + 1);
        assertThat(count("SELECT count(*) FROM t WHERE ours IS NULL AND iso IS NULL AND n = -1")).isEqualTo(1);
    }

    @Test
    void amountsUuidsTextsAndJsonAreReadAsTheirText() {
        SplittableRandom random = new SplittableRandom(42);
        List<BigDecimal> amounts = new ArrayList<>(List.of(BigDecimal.ZERO, new BigDecimal("0.00000001"),
                new BigDecimal("0.000000005"), new BigDecimal("0.000000015"), new BigDecimal("123456789012.12345678"),
                new BigDecimal("1E+3"), new BigDecimal("10000"), new BigDecimal("0.0001"), new BigDecimal("-2.5")));
        for (int i = 0; i < 1000; i++) {
            amounts.add(BigDecimal.valueOf(random.nextLong(0, 100_000_000_000L), random.nextInt(0, 12)));
        }
        List<String> texts = List.of("", "plain", "quote \" and backslash \\ and comma ,", "line\nbreak\ttab",
                "naïve 日本語 🙂", "{\"k\":\"v\"}");
        db.dsl().execute("CREATE TABLE a (n int, ours numeric(20,8), txt text)");
        db.dsl().execute("CREATE TABLE s (n int, id uuid, id_text text, ours text, js jsonb, js_text text,"
                + " big bigint, flag boolean)");
        CopyBinary numbers = new CopyBinary(0);
        for (int i = 0; i < amounts.size(); i++) {
            numbers.line(3).int4(i).numeric(amounts.get(i)).text(amounts.get(i).toPlainString());
        }
        copy("a", numbers.finish());
        CopyBinary strings = new CopyBinary(0);
        for (int i = 0; i < texts.size(); i++) {
            UUID id = new UUID(random.nextLong(), random.nextLong());
            String json = "{\"text\":\"" + texts.get(i).replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", "\\n").replace("\t", "\\t") + "\",\"n\":" + i + "}";
            strings.line(8).int4(i).uuid(id).text(id.toString()).text(texts.get(i)).jsonb(json).text(json)
                    .int8((long) i << 40).bool(i % 2 == 0);
        }
        copy("s", strings.finish());

        assertThat(mismatches("SELECT n, ours::text, txt FROM a WHERE ours IS DISTINCT FROM txt::numeric(20,8)"))
                .isEmpty();
        assertThat(mismatches("SELECT n, id::text, id_text FROM s WHERE id IS DISTINCT FROM id_text::uuid"
                + " OR js IS DISTINCT FROM js_text::jsonb OR big <> (n::bigint << 40) OR flag <> (n % 2 = 0)"))
                .isEmpty();
        assertThat(db.dsl().fetch("SELECT ours FROM s ORDER BY n").getValues(0, String.class))
                .containsExactlyElementsOf(texts);
        assertThat(count("SELECT count(*) FROM a")).isEqualTo(amounts.size());
    }

    private long count(String sql) {
        return db.dsl().fetchOne(sql).get(0, Long.class);
    }

    private Result<Record> mismatches(String sql) {
        return db.dsl().fetch(sql);
    }

    private void copy(String table, byte[] data) {
        db.dsl().connection(c -> {
            CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN (FORMAT binary)");
            try {
                copy.writeToCopy(data, 0, data.length);
                copy.endCopy();
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        });
    }
}
