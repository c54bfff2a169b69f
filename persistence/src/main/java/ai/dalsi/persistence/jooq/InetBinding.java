package ai.dalsi.persistence.jooq;

import java.io.Serial;
import java.sql.SQLException;
import java.sql.Types;
import org.jooq.Binding;
import org.jooq.BindingGetResultSetContext;
import org.jooq.BindingGetSQLInputContext;
import org.jooq.BindingGetStatementContext;
import org.jooq.BindingRegisterContext;
import org.jooq.BindingSQLContext;
import org.jooq.BindingSetSQLOutputContext;
import org.jooq.BindingSetStatementContext;
import org.jooq.Converter;
import org.jooq.impl.DSL;

/**
 * Maps PostgreSQL {@code inet} to a Java {@code String} in its textual form ("203.0.113.7",
 * "2001:db8::1", "10.0.0.0/8"). Strings rather than {@link java.net.InetAddress} so that reading a
 * row never triggers a name lookup; the database validates the value on write ({@code ?::inet}).
 * Named by the jOOQ code generator's forced type for {@code inet}.
 */
public final class InetBinding implements Binding<Object, String> {

    @Serial
    private static final long serialVersionUID = 1L;

    private static final Converter<Object, String> CONVERTER = Converter.ofNullable(
            Object.class, String.class, Object::toString, s -> s);

    @Override
    public Converter<Object, String> converter() {
        return CONVERTER;
    }

    @Override
    public void sql(BindingSQLContext<String> ctx) {
        if (ctx.render().paramType() == org.jooq.conf.ParamType.INLINED) {
            ctx.render().visit(DSL.inline(ctx.value())).sql("::inet");
        } else {
            ctx.render().sql(ctx.variable()).sql("::inet");
        }
    }

    @Override
    public void register(BindingRegisterContext<String> ctx) throws SQLException {
        ctx.statement().registerOutParameter(ctx.index(), Types.VARCHAR);
    }

    @Override
    public void set(BindingSetStatementContext<String> ctx) throws SQLException {
        String value = ctx.value();
        if (value == null) {
            ctx.statement().setNull(ctx.index(), Types.VARCHAR);
        } else {
            ctx.statement().setString(ctx.index(), value);
        }
    }

    @Override
    public void set(BindingSetSQLOutputContext<String> ctx) throws SQLException {
        throw new SQLException("inet is not supported in SQL output");
    }

    @Override
    public void get(BindingGetResultSetContext<String> ctx) throws SQLException {
        ctx.value(ctx.resultSet().getString(ctx.index()));
    }

    @Override
    public void get(BindingGetStatementContext<String> ctx) throws SQLException {
        ctx.value(ctx.statement().getString(ctx.index()));
    }

    @Override
    public void get(BindingGetSQLInputContext<String> ctx) throws SQLException {
        throw new SQLException("inet is not supported in SQL input");
    }
}
