package ai.dalsi.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admin port's hostile inputs, given to the config loader (in the file and in the
 * environment): NUL and other control characters, numbers with huge exponents or beyond their
 * type, durations no clock holds, deep nesting, a second YAML document, text after a JSON value.
 * Each stops start-up with one short line naming the setting, in the gateway's own words, never a
 * secret's value.
 */
class HostileConfigTest {

    private static final List<String> LIBRARY_WORDS = List.of("com.fasterxml", "jackson", "StreamReadConstraints",
            "Exception", "`", "Numeric value", "snakeyaml");

    @TempDir
    Path dir;

    private ConfigException refused(String yaml, Map<String, String> env) throws IOException {
        Path file = null;
        if (yaml != null) {
            file = dir.resolve("gateway.yaml");
            Files.writeString(file, yaml);
        }
        Path f = file;
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(f, env));
        assertThat(e).as("refused").isNotNull();
        for (String problem : e.problems()) {
            assertThat(problem.length()).as(problem).isLessThan(300);
            for (String word : LIBRARY_WORDS) {
                assertThat(problem).doesNotContainIgnoringCase(word);
            }
        }
        return e;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "admin:\\n  port: 99999999999999999999999   | admin.port: out of range (expected: an integer of at most 2147483647)",
            "admin:\\n  port: 1e1000000                 | admin.port: Infinity (expected: an integer)",
            "metering:\\n  segmentSize: -1e1000000      | metering.segmentSize: -Infinity (expected: an integer)",
            "metering:\\n  warnRatio: 1e1000000         | metering.warnRatio: Infinity (expected: > 0 and < 1)",
            "admin:\\n  host: \"127.0.0.1\\0\"            | admin.host: contains the control character U+0000 (expected: text without control characters)",
            "admin:\\n  token: \"long-enough-token-\\0x\"  | admin.token: contains the control character U+0000 (expected: text without control characters)",
            "edge:\\n  host: \"0.0.0.0\\t\"                | edge.host: contains the control character U+0009 (expected: text without control characters)",
            "admin:\\n  sweepInterval: 999999999999d    | admin.sweepInterval: \"999999999999d\" (expected: a duration such as 250ms, 5s, 2m, 1h, at most 365d)",
            "admin:\\n  sweepInterval: P99999999999D    | admin.sweepInterval: \"P99999999999D\" (expected: a duration such as 250ms, 5s, 2m, 1h, at most 365d)",
            "admin:\\n  port: 8081\\n---\\nadmin:\\n  port: 1 | FILE: more than one document (expected: one mapping of sections)",
    })
    void theFileNamesTheSettingInOneShortLine(String yaml, String problem) throws IOException {
        ConfigException e = refused(yaml.replace("\\n", "\n").replace("\\0", "\\u0000"), Map.of());
        assertThat(e.problems()).containsExactly(problem.replace("FILE", "config file " + dir.resolve("gateway.yaml")));
    }

    @Test
    void deepNestingInTheFileIsOneLine() throws IOException {
        ConfigException e = refused("admin: " + "[".repeat(5000) + "\n", Map.of());
        assertThat(e.problems()).singleElement().asString().endsWith("nested too deeply (expected: sections of settings)");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "GATEWAY_ADMIN_PORT              | 99999999999999999999999 | admin.port: \"99999999999999999999999\" (expected: an integer) [from GATEWAY_ADMIN_PORT]",
            "GATEWAY_ADMIN_PORT              | LONG_NUMBER             | admin.port: too long to read as a number (expected: a shorter number) [from GATEWAY_ADMIN_PORT]",
            "GATEWAY_EDGE_MAX_BODY_BYTES     | -1e1000000              | edge.maxBodyBytes: \"-1e1000000\" (expected: an integer) [from GATEWAY_EDGE_MAX_BODY_BYTES]",
            "GATEWAY_METERING_FSYNC_INTERVAL | 99999999999999999999s   | metering.fsyncInterval: \"99999999999999999999s\" (expected: a duration such as 250ms, 5s, 2m, 1h, at most 365d) [from GATEWAY_METERING_FSYNC_INTERVAL]",
            "GATEWAY_PROXY_MODELS            | {\"m\":{\"url\":\"http://x\"}} {} | proxy.models: GATEWAY_PROXY_MODELS is not valid JSON (expected: a JSON object)",
            "GATEWAY_PROXY_MODELS            | DEEP_JSON               | proxy.models: GATEWAY_PROXY_MODELS is not valid JSON (expected: a JSON object)",
            "GATEWAY_EDGE_TRUSTED_PROXIES    | [\"10.0.0.0/8\"] [1]      | edge.trustedProxies: GATEWAY_EDGE_TRUSTED_PROXIES is not valid JSON (expected: a JSON list)",
            "GATEWAY_PROXY_MODELS            | {\"m\":{\"url\":\"http://m\",\"apiKey\":\"k\\u0000\"}} | proxy.models.m.apiKey: contains the control character U+0000 (expected: text without control characters)",
    })
    void theEnvironmentNamesTheSettingInOneShortLine(String variable, String value, String problem) throws IOException {
        String v = value.replace("LONG_NUMBER", "8".repeat(5000)).replace("DEEP_JSON", "{\"m\":" + "[".repeat(5000));
        ConfigException e = refused(null, Map.of(variable, v));
        assertThat(e.problems()).containsExactly(problem);
    }

    @Test
    void aLongBadValueIsEchoedCut() throws IOException {
        ConfigException e = refused(null, Map.of("GATEWAY_ADMIN_ALLOWED_ORIGINS", "https://" + "h".repeat(100_000) + "/p"));
        assertThat(e.problems()).singleElement().asString().startsWith("admin.allowedOrigins[0]: \"https://hhh")
                .contains("…\" (100010 characters) (expected: an origin such as https://ops.example.com");
        ConfigException flag = refused(null, Map.of("GATEWAY_EDGE_NATIVE_TRANSPORT", "y".repeat(100_000)));
        assertThat(flag.problems()).singleElement().asString().startsWith("edge.nativeTransport: \"yyy")
                .endsWith("…\" (100000 characters) (expected: true or false) [from GATEWAY_EDGE_NATIVE_TRANSPORT]");
    }

    @Test
    void aSecretWithAControlCharacterIsNamedNotShown() throws IOException {
        ConfigException e = refused(null, Map.of("GATEWAY_DB_PASSWORD", "s3cret\u0007value"));
        assertThat(e.getMessage()).contains("database.password: contains the control character U+0007 (expected: text"
                + " without control characters) [from GATEWAY_DB_PASSWORD]")
                .doesNotContain("s3cret");
    }

    @Test
    void theLongestDurationIsAYear() {
        assertThat(Durations.parse("365d")).isEqualTo(Duration.ofDays(365));
        assertThat(Durations.parse("366d")).isNull();
        assertThat(Durations.parse("P100000000D")).isNull();
    }
}
