package ai.dalsi.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Opening, migrating and failing to open the pool. */
@ExtendWith(FreshDatabaseExtension.class)
class DatabaseIT {

    @Test
    void opensWithoutMigratingWhenToldNot(TestDatabase db) {
        try (Database second = Database.open(db.config().withMigrateOnStart(false).withMaxPoolSize(2))) {
            assertThat(second.dsl().fetchValue("select count(*) from api_products")).isEqualTo(0L);
            assertThat(second.pool().getMaximumPoolSize()).isEqualTo(2);
        }
    }

    @Test
    void unreachableServerGivesOneLineErrorWithMaskedPassword() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/gateway?password=hunter2";
        DatabaseConfig config = new DatabaseConfig(url, "postgres", "hunter2", 2, Duration.ofMillis(500), true);
        assertThatThrownBy(() -> Database.open(config))
                .isInstanceOf(DatabaseUnavailableException.class)
                .hasMessageStartingWith("cannot connect to jdbc:postgresql://127.0.0.1:" + closedPort
                        + "/gateway?password=***")
                .hasMessageContaining("refused")
                .message().doesNotContain("hunter2").doesNotContain("\n");
    }
}
