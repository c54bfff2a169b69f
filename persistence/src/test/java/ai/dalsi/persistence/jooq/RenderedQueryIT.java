package ai.dalsi.persistence.jooq;

import static ai.dalsi.persistence.schema.Tables.LEDGER_JOURNALS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Statements rendered once and run with JDBC binds, against the real server. */
@ExtendWith(FreshDatabaseExtension.class)
class RenderedQueryIT {

    private final DSLContext dsl;

    RenderedQueryIT(DSLContext dsl) {
        this.dsl = dsl;
    }

    private static final RenderedQuery UPSERT = RenderedQuery.of(tx -> tx
            .insertInto(LEDGER_JOURNALS, LEDGER_JOURNALS.JOURNAL_ID, LEDGER_JOURNALS.COMMITTED_POSITION)
            .values(RenderedQuery.slot(LEDGER_JOURNALS.JOURNAL_ID.getDataType()), RenderedQuery.slot(LEDGER_JOURNALS.COMMITTED_POSITION.getDataType()))
            .onConflict(LEDGER_JOURNALS.JOURNAL_ID)
            .doUpdate()
            .set(LEDGER_JOURNALS.COMMITTED_POSITION, DSL.excluded(LEDGER_JOURNALS.COMMITTED_POSITION)));

    private static final RenderedQuery POSITIONS = RenderedQuery.of(tx -> tx
            .select(LEDGER_JOURNALS.JOURNAL_ID, LEDGER_JOURNALS.COMMITTED_POSITION)
            .from(LEDGER_JOURNALS)
            .where(LEDGER_JOURNALS.JOURNAL_ID.eq(DSL.any(RenderedQuery.slot(SQLDataType.UUID.array()))))
            .and(LEDGER_JOURNALS.UPDATED_AT.le(RenderedQuery.slot(LEDGER_JOURNALS.UPDATED_AT.getDataType())))
            .orderBy(LEDGER_JOURNALS.COMMITTED_POSITION));

    private record Position(UUID journal, long position) {
    }

    private List<Position> positions(UUID[] journals, Instant until) {
        return dsl.transactionResult(c -> POSITIONS.fetch(c.dsl(),
                rs -> new Position(rs.getObject(1, UUID.class), rs.getLong(2)), journals, until));
    }

    @Test
    void rendersWithPlaceholdersAndBindsUuidsArraysAndInstants() {
        assertThat(UPSERT.sql().chars().filter(ch -> ch == '?')).hasSize(2);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        dsl.transaction(c -> {
            UPSERT.execute(c.dsl(), a, 7L);
            UPSERT.execute(c.dsl(), b, 3L);
        });

        assertThat(positions(new UUID[] {a, b, UUID.randomUUID()}, Instant.parse("9999-01-01T00:00:00Z")))
                .containsExactly(new Position(b, 3), new Position(a, 7));
        assertThat(positions(new UUID[] {a, b}, Instant.parse("2000-01-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void severalStatementsRunAsOneTextWithTheirBindsInOrder() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        RenderedQuery both = UPSERT.then(UPSERT);
        assertThat(both.sql()).contains(";\n");

        dsl.transaction(c -> both.execute(c.dsl(), a, 1L, b, 2L));

        assertThat(positions(new UUID[] {a, b}, Instant.parse("9999-01-01T00:00:00Z")))
                .containsExactly(new Position(a, 1), new Position(b, 2));
    }

    @Test
    void placeholdersInQuotedLiteralsAndNamesAreNotSlots() {
        assertThat(RenderedQuery.placeholders("select '?', 'it''s?', \"a?b\", ?::uuid from t where x = ?")).isEqualTo(2);
        assertThat(POSITIONS.sql()).contains("any (?::uuid[])");
    }

    @Test
    void aWrongNumberOfBindsIsRefusedBeforeAnythingRuns() {
        UUID a = UUID.randomUUID();
        assertThatThrownBy(() -> dsl.transaction(c -> UPSERT.execute(c.dsl(), a)))
                .hasStackTraceContaining("IllegalArgumentException: 2 bind values expected, got 1");
        assertThat(positions(new UUID[] {a}, Instant.parse("9999-01-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void aFailingStatementFailsTheTransactionWithTheServersSqlState() {
        UUID a = UUID.randomUUID();
        assertThatThrownBy(() -> dsl.transaction(c -> UPSERT.execute(c.dsl(), a, null)))
                .isInstanceOf(DataAccessException.class)
                .satisfies(e -> assertThat(((DataAccessException) e).sqlState()).isEqualTo("23502"));
    }
}
