package ai.dalsi.persistence.codegen;

import ai.dalsi.persistence.Migrations;
import ai.dalsi.persistence.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.ForcedType;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.Logging;
import org.jooq.meta.jaxb.Target;

/**
 * Regenerates the checked-in jOOQ classes ({@code persistence/src/main/jooq}) from the migrations:
 * a throw-away database is created on the test server, migrated, read by jOOQ's generator and
 * dropped. Run it through the {@code jooq-codegen} Maven profile (see the README);
 * {@code GeneratedCodeIsCurrentIT} fails when the checked-in classes differ from what this makes.
 */
public final class JooqCodegen {

    /** Package of the generated classes. */
    public static final String PACKAGE = "ai.dalsi.persistence.schema";

    private JooqCodegen() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: JooqCodegen <output directory>");
            System.exit(2);
        }
        TestServer server = TestServer.fromEnvironment();
        String db = server.createDatabase("codegen");
        try {
            String url = server.urlOf(db);
            Migrations.migrate(url, server.user(), server.password());
            generate(url, server.user(), server.password(), Path.of(args[0]));
        } finally {
            server.dropDatabase(db);
        }
    }

    /** Generates from a migrated database into the directory, replacing what the package held. */
    public static void generate(String url, String user, String password, Path outputDirectory) throws Exception {
        Configuration configuration = new Configuration()
                .withLogging(Logging.WARN)
                .withJdbc(new Jdbc()
                        .withDriver("org.postgresql.Driver")
                        .withUrl(url)
                        .withUser(user)
                        .withPassword(password))
                .withGenerator(new Generator()
                        .withDatabase(new Database()
                                .withName("org.jooq.meta.postgres.PostgresDatabase")
                                .withInputSchema("public")
                                .withOutputSchemaToDefault(true)
                                // Monthly partitions come and go with the calendar; code uses the parent.
                                .withExcludes("flyway_schema_history|api_usage_logs_\\d{4}_\\d{2}|api_usage_logs_default")
                                .withForcedTypes(List.of(
                                        new ForcedType()
                                                .withUserType("java.lang.String")
                                                .withBinding("ai.dalsi.persistence.jooq.InetBinding")
                                                .withIncludeTypes("inet"),
                                        new ForcedType()
                                                .withName("INSTANT")
                                                .withIncludeTypes("timestamp\\ with\\ time\\ zone|timestamptz"))))
                        .withGenerate(new Generate()
                                .withGeneratedAnnotation(false)
                                .withRecords(true)
                                .withPojos(false)
                                .withDaos(false)
                                .withJavaTimeTypes(true)
                                .withFluentSetters(true)
                                .withSequences(true)
                                .withRoutines(true)
                                .withComments(true))
                        .withTarget(new Target()
                                .withPackageName(PACKAGE)
                                .withDirectory(outputDirectory.toAbsolutePath().toString())
                                .withClean(true)));
        GenerationTool.generate(configuration);
    }
}
