package ai.dalsi.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaultsWorkWithNoFileAndNoEnvironment() {
        GatewayConfig c = ConfigLoader.load(null, Map.of());
        assertThat(c.admin().host()).isEqualTo("127.0.0.1");
        assertThat(c.admin().port()).isEqualTo(8081);
        assertThat(c.admin().token()).isNull();
        assertThat(c.admin().sweepInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/postgres");
        assertThat(c.database().user()).isEqualTo("postgres");
        assertThat(c.database().connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void fileOverridesDefaultsAndEnvironmentOverridesFile() throws IOException {
        Path f = write("""
                admin:
                  port: 9001
                  sweepInterval: 5m
                database:
                  url: jdbc:postgresql://db.internal:5432/gw
                  maxPoolSize: 20
                """);
        GatewayConfig c = ConfigLoader.load(f, Map.of("GATEWAY_ADMIN_PORT", "9002"));
        assertThat(c.admin().port()).isEqualTo(9002);
        assertThat(c.admin().sweepInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.admin().host()).as("untouched default").isEqualTo("127.0.0.1");
        assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/gw");
        assertThat(c.database().maxPoolSize()).isEqualTo(20);
    }

    @Test
    void everySettingHasASystematicEnvironmentName() {
        Map<String, String> names = ConfigLoader.environmentNames(ConfigLoader.defaults());
        assertThat(names).containsEntry("GATEWAY_ADMIN_PORT", "admin.port")
                .containsEntry("GATEWAY_ADMIN_TOKEN", "admin.token")
                .containsEntry("GATEWAY_ADMIN_SWEEP_INTERVAL", "admin.sweepInterval")
                .containsEntry("GATEWAY_DATABASE_MAX_POOL_SIZE", "database.maxPoolSize")
                .containsEntry("GATEWAY_DB_URL", "database.url")
                .containsEntry("GATEWAY_DB_PASSWORD", "database.password")
                .containsEntry("GATEWAY_HTTP_PORT", "edge.port")
                .containsEntry("GATEWAY_BACKEND_URL", "proxy.backendUrl")
                .containsEntry("GATEWAY_BACKEND_API_KEY", "proxy.backendApiKey");

        GatewayConfig c = ConfigLoader.load(null, Map.of(
                "GATEWAY_DATABASE_MAX_POOL_SIZE", "3",
                "GATEWAY_ADMIN_SWEEP_INTERVAL", "1500ms",
                "GATEWAY_ADMIN_METRICS_REQUIRE_AUTH", "true",
                "GATEWAY_ADMIN_HOST", "0.0.0.0"));
        assertThat(c.database().maxPoolSize()).isEqualTo(3);
        assertThat(c.admin().sweepInterval()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.admin().metricsRequireAuth()).isTrue();
        assertThat(c.admin().host()).isEqualTo("0.0.0.0");
    }

    @Test
    void documentedAliasesSetTheirSettings() {
        GatewayConfig c = ConfigLoader.load(null, Map.of(
                "GATEWAY_DB_URL", "jdbc:postgresql://10.0.0.5:5433/gw",
                "GATEWAY_DB_USER", "gw",
                "GATEWAY_DB_PASSWORD", "s3cret-pass",
                "GATEWAY_ADMIN_TOKEN", "0123456789abcdef-token"));
        assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:postgresql://10.0.0.5:5433/gw");
        assertThat(c.database().user()).isEqualTo("gw");
        assertThat(c.database().password()).isEqualTo("s3cret-pass");
        assertThat(c.admin().token()).isEqualTo("0123456789abcdef-token");
    }

    @Test
    void aliasAndSystematicNameThatDisagreeStopStartUp() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(
                "GATEWAY_DB_URL", "jdbc:postgresql://a/gw", "GATEWAY_DATABASE_URL", "jdbc:postgresql://b/gw")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("database.url: set differently by")
                .hasMessageContaining("GATEWAY_DB_URL").hasMessageContaining("GATEWAY_DATABASE_URL");
    }

    @Test
    void theProjectsOtherVariablesAreAllowedButDoNotChangeSettings() {
        GatewayConfig c = ConfigLoader.load(null, Map.of("GATEWAY_TEST_DB_URL", "jdbc:postgresql://x/y",
                "GATEWAY_TEST_DB_USER", "u", "GATEWAY_TEST_DB_PASSWORD", "p", "GATEWAY_BILLING_TAX_RATE", "0.19",
                "HOME", "/root", "PGHOST", "elsewhere"));
        assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/postgres");
    }

    @Test
    void aMisspeltVariableStopsStartUpWithASuggestion() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_EDGE_PROT", "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown environment variable: GATEWAY_EDGE_PROT (did you mean GATEWAY_EDGE_PORT?)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_DB_URI", "jdbc:postgresql://x/y")))
                .hasMessage("unknown environment variable: GATEWAY_DB_URI (did you mean GATEWAY_DB_URL?)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_COLOUR_SCHEME", "dark")))
                .hasMessage("unknown environment variable: GATEWAY_COLOUR_SCHEME");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws IOException {
        Path f = Files.writeString(dir.resolve("all.yaml"),
                "admin:\n  prot: 1\n  port: 70000\nmetering:\n  batchSize: 0\n  warnRatio: 2\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of("GATEWAY_HTTP_PORT", "http", "GATEWAY_EDGE_HOTS", "x")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "unknown environment variable: GATEWAY_EDGE_HOTS (did you mean GATEWAY_EDGE_HOST?)",
                        "unknown setting: admin.prot (did you mean admin.port?)",
                        "admin.port: 70000 (expected: 0..65535)",
                        "edge.port: \"http\" (expected: an integer) [from GATEWAY_HTTP_PORT]",
                        "metering.batchSize: 0 (expected: > 0)",
                        "metering.warnRatio: 2.0 (expected: > 0 and < 1)"));
    }

    @Test
    void settingsThatOnlyDisagreeWithEachOtherAreStillNamed() throws IOException {
        Path f = Files.writeString(dir.resolve("pair.yaml"),
                "metering:\n  retryBackoffMin: 20s\n  retryBackoffMax: 10s\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("metering.retryBackoff");
    }

    @Test
    void unknownKeysAreNamedWithASuggestion() throws IOException {
        Path f = write("""
                admin:
                  prot: 9001
                  sweepIntervall: 5m
                databse:
                  url: jdbc:postgresql://x/y
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "unknown setting: admin.prot (did you mean admin.port?)",
                        "unknown setting: admin.sweepIntervall (did you mean admin.sweepInterval?)",
                        "unknown setting: databse (did you mean database?)"));
    }

    @Test
    void prefixOfASettingIsSuggested() throws IOException {
        Path f = write("admin:\n  maxRequest: 2048\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .hasMessage("unknown setting: admin.maxRequest (did you mean admin.maxRequestBytes?)");
    }

    @Test
    void farOffUnknownKeyHasNoSuggestion() throws IOException {
        Path f = write("telemetry:\n  enabled: true\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).hasMessage("unknown setting: telemetry");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "admin:\\n  port: 70000                | admin.port: 70000 (expected: 0..65535)",
            "admin:\\n  port: abc                  | admin.port: \"abc\" (expected: an integer)",
            "admin:\\n  port: 80.5                 | admin.port: 80.5 (expected: an integer)",
            "admin:\\n  port: [1, 2]               | admin.port: wrong type (expected: an integer)",
            "admin:\\n  sweepInterval: 30          | admin.sweepInterval: \"30\" (expected: a duration such as 250ms, 5s, 2m, 1h, at most 365d)",
            "admin:\\n  sweepInterval: 10ms        | admin.sweepInterval: 10ms (expected: >= 1s)",
            "admin:\\n  metricsRequireAuth: maybe  | admin.metricsRequireAuth: \"maybe\" (expected: true or false)",
            "admin:\\n  workerThreads: 0           | admin.workerThreads: 0 (expected: 1..256)",
            "admin:\\n  host: ''                   | admin.host: missing (expected: an address to bind, e.g. 127.0.0.1)",
            "database:\\n  url: jdbc:mysql://x/y   | database.url: jdbc:mysql://x/y (expected: a jdbc:postgresql:// URL)",
            "database:\\n  maxPoolSize: 0          | database.maxPoolSize: 0 (expected: 1..1000)",
            "admin: 5                              | admin: wrong type (expected: a mapping)",
    })
    void invalidValuesAreNamed(String yaml, String message) throws IOException {
        Path f = write(yaml.replace("\\n", "\n"));
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @Test
    void invalidEnvironmentValueNamesTheSettingAndTheVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_ADMIN_PORT", "70000")))
                .hasMessage("admin.port: 70000 (expected: 0..65535) [from GATEWAY_ADMIN_PORT]");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_ADMIN_PORT", "http")))
                .hasMessage("admin.port: \"http\" (expected: an integer) [from GATEWAY_ADMIN_PORT]");
    }

    @Test
    void shortTokenIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_ADMIN_TOKEN", "hunter2")))
                .hasMessage("admin.token: too short, 7 characters (expected: at least 16) [from GATEWAY_ADMIN_TOKEN]")
                .message().doesNotContain("hunter2");
    }

    @Test
    void secretsAreMaskedInToString() {
        GatewayConfig c = ConfigLoader.load(null, Map.of(
                "GATEWAY_ADMIN_TOKEN", "0123456789abcdef-token",
                "GATEWAY_DB_PASSWORD", "pg-password-xyz",
                "GATEWAY_DB_URL", "jdbc:postgresql://h/db?password=urlsecret"));
        String shown = c.toString();
        assertThat(shown).doesNotContain("0123456789abcdef-token").doesNotContain("pg-password-xyz")
                .doesNotContain("urlsecret").contains("token=***").contains("password=***");
    }

    @Test
    void yamlSyntaxErrorNamesFileAndLine() throws IOException {
        Path f = write("admin:\n  port: 1\n   host: x\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config file " + f + ": line 3");
    }

    @Test
    void duplicateKeysAreRefused() throws IOException {
        Path f = write("admin:\n  port: 1\n  port: 2\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).hasMessageContaining("Duplicate field 'port'");
    }

    @Test
    void missingFileIsNamed() {
        Path f = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).hasMessage("config file " + f + ": not found");
    }

    @Test
    void jsonFilesWorkToo() throws IOException {
        Path f = write("{\"admin\": {\"port\": 7001}}");
        assertThat(ConfigLoader.load(f, Map.of()).admin().port()).isEqualTo(7001);
    }

    @ParameterizedTest
    @CsvSource({"GATEWAY_ADMIN_PORT, admin.port", "GATEWAY_DATABASE_MAX_POOL_SIZE, database.maxPoolSize",
            "GATEWAY_EDGE_MAX_BODY_BYTES, edge.maxBodyBytes", "GATEWAY_PROXY_ROUTES, proxy.routes"})
    void environmentNamesAreUpperSnakeCase(String env, String path) {
        assertThat(ConfigLoader.envName(path)).isEqualTo(env);
    }

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("gateway.yaml");
        Files.writeString(f, yaml);
        return f;
    }
}
