package ai.dalsi.persistence.jooq;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * A statement written with jOOQ and rendered to SQL once, for a path that runs it again and again
 * (the ledger writer's batch transactions). Executing a jOOQ query builds and renders its tree
 * every time, which for the ledger's statements was over a third of its writer's CPU; here
 * jOOQ stays the way the statement is written and checked against the generated schema, and the
 * text runs as a JDBC {@link PreparedStatement} on the transaction's connection, which the driver
 * also prepares once on the server after a few uses (its per-connection statement cache).
 *
 * <p>Bind values go in the order of the {@link #slot}s in the rendered text (the order they appear
 * in the statement as written). Several statements may be rendered into one text
 * ({@link #of(Function[])}): the driver sends them in one round trip, as one batch did. Values:
 * anything the PostgreSQL driver binds, plus {@link Instant} (as UTC) and arrays of {@link UUID},
 * {@link String} and {@link Instant} (an array per column of many rows, for {@code unnest}).
 */
public final class RenderedQuery {

    private static final DSLContext RENDERER = DSL.using(SQLDialect.POSTGRES, Jooq.settings());

    private final String sql;
    /** Placeholders in {@link #sql}: how many bind values an execution takes. */
    private final int binds;

    private RenderedQuery(String sql, int binds) {
        this.sql = sql;
        this.binds = binds;
    }

    /**
     * The statements each builder writes (against a context that only renders), as one text.
     * Values the statements hold are rendered as literals (as a jOOQ batch does); the values bound
     * at each execution are {@link #slot}s.
     */
    @SafeVarargs
    public static RenderedQuery of(Function<DSLContext, ? extends Query>... statements) {
        List<String> parts = new ArrayList<>(statements.length);
        for (Function<DSLContext, ? extends Query> statement : statements) {
            parts.add(RENDERER.renderInlined(statement.apply(RENDERER)));
        }
        String sql = String.join(";\n", parts);
        return new RenderedQuery(sql, placeholders(sql));
    }

    /** A value bound at each execution: a {@code ?} of this type (cast to it) in the rendered text. */
    public static <T> Field<T> slot(DataType<T> type) {
        return DSL.field(DSL.raw("?::" + type.getCastTypeName(RENDERER.configuration())), type);
    }

    /** The {@code ?}s outside quoted literals and names. */
    static int placeholders(String sql) {
        int count = 0;
        char quote = 0;
        for (int i = 0; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0; // a doubled quote closes and reopens: same count
                }
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
            } else if (ch == '?') {
                count++;
            }
        }
        return count;
    }

    /** This text and then {@code next}'s, in one round trip; bind values this one's first. */
    public RenderedQuery then(RenderedQuery next) {
        return new RenderedQuery(sql + ";\n" + next.sql, binds + next.binds);
    }

    /** The rendered text. */
    public String sql() {
        return sql;
    }

    /** Runs the statement(s) in {@code tx}'s transaction; returns the rows they changed, together. */
    public int execute(DSLContext tx, Object... binds) {
        return tx.connectionResult(c -> {
            try (PreparedStatement ps = prepare(c, binds)) {
                int changed = 0;
                for (boolean rows = ps.execute(); ; rows = ps.getMoreResults()) {
                    int count = rows ? 0 : ps.getUpdateCount();
                    if (count == -1) {
                        return changed;
                    }
                    changed += count;
                }
            }
        });
    }

    /** Reads one row of a result. */
    @FunctionalInterface
    public interface RowReader<R> {
        R read(ResultSet rs) throws SQLException;
    }

    /** Runs a query in {@code tx}'s transaction and reads every row of its result. */
    public <R> List<R> fetch(DSLContext tx, RowReader<R> reader, Object... binds) {
        return tx.connectionResult(c -> {
            try (PreparedStatement ps = prepare(c, binds); ResultSet rs = ps.executeQuery()) {
                List<R> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(reader.read(rs));
                }
                return rows;
            }
        });
    }

    private PreparedStatement prepare(Connection c, Object[] binds) throws SQLException {
        if (binds.length != this.binds) {
            throw new IllegalArgumentException(this.binds + " bind values expected, got " + binds.length + ": " + sql);
        }
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < binds.length; i++) {
                Object v = binds[i];
                if (v instanceof Instant instant) {
                    ps.setObject(i + 1, instant.atOffset(ZoneOffset.UTC));
                } else if (v instanceof UUID[] uuids) {
                    ps.setArray(i + 1, c.createArrayOf("uuid", uuids));
                } else if (v instanceof String[] strings) {
                    ps.setArray(i + 1, c.createArrayOf("text", strings));
                } else if (v instanceof Instant[] instants) {
                    String[] text = new String[instants.length];
                    for (int j = 0; j < instants.length; j++) {
                        text[j] = instants[j] == null ? null : instants[j].toString();
                    }
                    ps.setArray(i + 1, c.createArrayOf("text", text)); // ISO 8601 in UTC; the slot casts it
                } else {
                    ps.setObject(i + 1, v);
                }
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }
}
