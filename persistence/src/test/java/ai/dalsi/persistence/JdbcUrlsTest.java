package ai.dalsi.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcUrlsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jdbc:postgresql://db:5432/gw                          | jdbc:postgresql://db:5432/gw",
        "jdbc:postgresql://db/gw?user=u&password=s3cret&ssl=1  | jdbc:postgresql://db/gw?user=u&password=***&ssl=1",
        "jdbc:postgresql://db/gw?PASSWORD=s3cret               | jdbc:postgresql://db/gw?PASSWORD=***",
        "jdbc:postgresql://u:s3cret@db/gw                      | jdbc:postgresql://u:***@db/gw",
    })
    void masksPasswords(String url, String masked) {
        assertThat(JdbcUrls.masked(url)).isEqualTo(masked);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jdbc:postgresql://127.0.0.1:5432/postgres | 127.0.0.1:5432",
        "jdbc:postgresql://db.internal/gw?ssl=true | db.internal",
        "jdbc:postgresql://u:p@db:6432/gw          | db:6432",
    })
    void hostAndPort(String url, String hostPort) {
        assertThat(JdbcUrls.hostAndPort(url)).isEqualTo(hostPort);
    }

    @Test
    void configNamesTheBadSetting() {
        assertThatThrownBy(() -> new DatabaseConfig("jdbc:mysql://x/y", "u", "p", 5, Duration.ofSeconds(1), true))
                .hasMessage("database.url: jdbc:mysql://x/y (expected: a jdbc:postgresql:// URL)");
        assertThatThrownBy(() -> new DatabaseConfig("jdbc:postgresql://x/y", "u", "p", 0, Duration.ofSeconds(1), true))
                .hasMessage("database.maxPoolSize: 0 (expected: 1..1000)");
        assertThat(DatabaseConfig.of("jdbc:postgresql://x/y?password=zz", "u", "topsecret").toString())
                .doesNotContain("topsecret").doesNotContain("zz");
    }
}
