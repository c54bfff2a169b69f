package ai.dalsi.persistence.testing;

import ai.dalsi.persistence.Database;
import ai.dalsi.persistence.DatabaseConfig;
import org.jooq.DSLContext;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test class its own database on the real test server (see {@link TestServer}):
 * created and migrated before the class's first test, dropped after its last. Test constructors,
 * lifecycle methods and test methods may declare a {@link TestDatabase} or {@link DSLContext}
 * parameter to receive it.
 *
 * <pre>{@code
 * @ExtendWith(FreshDatabaseExtension.class)
 * class ApiKeyRepositoryIT {
 *     ApiKeyRepositoryIT(TestDatabase db) { ... }
 * }
 * }</pre>
 */
public final class FreshDatabaseExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(FreshDatabaseExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        fresh(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestDatabase.class || type == DSLContext.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestDatabase db = fresh(context).db;
        return parameter.getParameter().getType() == DSLContext.class ? db.dsl() : db;
    }

    private static Fresh fresh(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        Class<?> testClass = classContext.getRequiredTestClass();
        return classContext.getStore(NAMESPACE)
                .computeIfAbsent(testClass.getName(), k -> new Fresh(testClass.getSimpleName()), Fresh.class);
    }

    /** The database of one test class; the store closes it after the class. */
    private static final class Fresh implements AutoCloseable {
        private final TestServer server = TestServer.fromEnvironment();
        private final TestDatabase db;

        Fresh(String hint) {
            String name = server.createDatabase(hint);
            String url = server.urlOf(name);
            Database database;
            try {
                database = Database.open(DatabaseConfig.of(url, server.user(), server.password()));
            } catch (RuntimeException e) {
                server.dropDatabase(name);
                throw e;
            }
            this.db = new TestDatabase(name, url, server.user(), server.password(), database);
        }

        @Override
        public void close() {
            try {
                db.database().close();
            } finally {
                server.dropDatabase(db.name());
            }
        }
    }
}
