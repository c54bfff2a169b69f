package ai.dalsi.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.persistence.DatabaseConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The commands read the database settings by every name {@code serve} reads them by. */
class EnvDatabaseTest {

    @Test
    void noVariablesGiveTheDefaults() {
        assertThat(EnvDatabase.config(Map.of())).isEqualTo(DatabaseConfig.of(DatabaseConfig.DEFAULT_URL, "postgres", ""));
    }

    @Test
    void theShortNamesSetUrlUserAndPassword() {
        DatabaseConfig c = EnvDatabase.config(Map.of("GATEWAY_DB_URL", "jdbc:postgresql://db.internal:5433/gw",
                "GATEWAY_DB_USER", "gw", "GATEWAY_DB_PASSWORD", "s3cret"));
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/gw");
        assertThat(c.user()).isEqualTo("gw");
        assertThat(c.password()).isEqualTo("s3cret");
    }

    @Test
    void theSystematicNamesSetEveryDatabaseSetting() {
        DatabaseConfig c = EnvDatabase.config(Map.of("GATEWAY_DATABASE_URL", "jdbc:postgresql://db.internal/gw",
                "GATEWAY_DATABASE_USER", "gw", "GATEWAY_DATABASE_PASSWORD", "s3cret",
                "GATEWAY_DATABASE_CONNECTION_TIMEOUT", "1500ms", "GATEWAY_DATABASE_MAX_POOL_SIZE", "3"));
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal/gw");
        assertThat(c.user()).isEqualTo("gw");
        assertThat(c.password()).isEqualTo("s3cret");
        assertThat(c.connectionTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.maxPoolSize()).isEqualTo(3);
    }

    @Test
    void aBadValueNamesItsSettingAndVariable() {
        assertThatThrownBy(() -> EnvDatabase.config(Map.of("GATEWAY_DATABASE_CONNECTION_TIMEOUT", "10ms",
                "GATEWAY_DB_URL", "jdbc:mysql://127.0.0.1/gw")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("database.connectionTimeout: ")
                .hasMessageContaining("[from GATEWAY_DATABASE_CONNECTION_TIMEOUT]")
                .hasMessageContaining("database.url: jdbc:mysql://127.0.0.1/gw (expected: a jdbc:postgresql:// URL)"
                        + " [from GATEWAY_DB_URL]");
    }

    @Test
    void bothNamesOfOneSettingThatDisagreeAreRefused() {
        assertThatThrownBy(() -> EnvDatabase.config(Map.of("GATEWAY_DB_URL", "jdbc:postgresql://a/gw",
                "GATEWAY_DATABASE_URL", "jdbc:postgresql://b/gw")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("database.url: set differently by")
                .hasMessageContaining("GATEWAY_DB_URL").hasMessageContaining("GATEWAY_DATABASE_URL");
    }

    @Test
    void aMisspeltVariableIsRefusedButTheServersOtherSettingsAreNotChecked() {
        assertThatThrownBy(() -> EnvDatabase.config(Map.of("GATEWAY_DATABSE_URL", "jdbc:postgresql://b/gw")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown environment variable: GATEWAY_DATABSE_URL");
        assertThat(EnvDatabase.config(Map.of("GATEWAY_HTTP_PORT", "80800", "GATEWAY_DB_USER", "gw")).user())
                .isEqualTo("gw");
    }
}
