package ai.dalsi.persistence.jooq;

import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/** The project's one way of making a {@link DSLContext}, so every caller renders SQL alike. */
public final class Jooq {

    private Jooq() {
    }

    /** A PostgreSQL context over the pool: schema-less names (the connection's search_path decides). */
    public static DSLContext dsl(DataSource dataSource) {
        // jOOQ prints a banner and tips at first use unless told not to.
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        return DSL.using(dataSource, SQLDialect.POSTGRES, settings());
    }

    /** Settings shared by every context of the project. */
    public static Settings settings() {
        return new Settings()
                .withRenderSchema(false)
                .withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED)
                .withExecuteLogging(false);
    }
}
