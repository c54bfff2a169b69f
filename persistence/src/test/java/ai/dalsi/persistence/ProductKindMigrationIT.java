package ai.dalsi.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.persistence.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V7 on a database that already has products: each gets the kind its endpoints imply, once, and
 * from then on a kind is one of the five.
 */
class ProductKindMigrationIT {

    @Test
    void existingProductsGetTheKindTheirEndpointsImply() throws SQLException {
        TestServer server = TestServer.fromEnvironment();
        String name = server.createDatabase("productkind");
        String url = server.urlOf(name);
        try {
            Flyway.configure().dataSource(url, server.user(), server.password()).locations("classpath:db/migration")
                    .target("5").load().migrate();
            try (Connection c = DriverManager.getConnection(url, server.user(), server.password());
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO api_products (name, endpoints) VALUES"
                        + " ('p.chat', '{/v1/chat/completions}'), ('p.code', '{/v1/completions}'),"
                        + " ('p.image', '{/v1/images/generations,/v1/images/edits}'), ('p.embed', '{/v1/embeddings}'),"
                        + " ('p.responses', '{/v1/responses}'), ('p.other', '{\"GET /v1/things\"}')");
            }
            Migrations.migrate(url, server.user(), server.password());
            try (Connection c = DriverManager.getConnection(url, server.user(), server.password());
                    Statement s = c.createStatement()) {
                Map<String, String> kinds = new LinkedHashMap<>();
                try (ResultSet rs = s.executeQuery("SELECT name, kind FROM api_products ORDER BY name")) {
                    while (rs.next()) {
                        kinds.put(rs.getString(1), rs.getString(2));
                    }
                }
                assertThat(kinds).containsExactlyEntriesOf(Map.of(
                        "p.chat", "chat", "p.code", "completion", "p.embed", "embedding", "p.image", "image",
                        "p.other", "chat", "p.responses", "responses").entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
                assertThatThrownBy(() -> s.execute("UPDATE api_products SET kind = 'images' WHERE name = 'p.image'"))
                        .hasMessageContaining("api_products_kind_check");
                s.execute("INSERT INTO api_products (name) VALUES ('p.new')");
                try (ResultSet rs = s.executeQuery("SELECT kind FROM api_products WHERE name = 'p.new'")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("the default").isEqualTo("chat");
                }
            }
        } finally {
            server.dropDatabase(name);
        }
    }
}
