package ai.dalsi.loadtest.gen;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.loadtest.LoadtestMain;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code loadtest.jar run} as a user calls it: keys from a file, a summary, and the JSON with per-key counts. */
@Timeout(60)
class RunCommandIT {

    @TempDir
    Path dir;

    @Test
    void printsASummaryAndWritesPerKeyCountsWithoutEverShowingAKey() throws Exception {
        String k1 = "dsk_live_runcommandkeyone0000000000000000000000";
        String k2 = "dsk_live_runcommandkeytwo0000000000000000000000";
        Files.writeString(dir.resolve("keys.txt"), "# load keys\n" + k1 + "\n\n" + k2 + "\n");
        Path json = dir.resolve("result.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (StubHttpServer server = new StubHttpServer().checkKeys(Set.of(k1, k2), Set.of())) {
            int code = LoadtestMain.run(new String[] {"run", "--url", server.url() + "/v1", "--max", "--duration", "20s",
                    "--requests", "400", "--connections", "2", "--keys", dir.resolve("keys.txt").toString(),
                    "--invalid-share", "0.2", "--per-key", "--json", json.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        }
        String summary = out.toString(StandardCharsets.UTF_8);
        assertThat(summary).contains("closed loop (max throughput), 2 connections", "sent 400  answered 400",
                "keys        known", "keys        unknown", "keys        malformed", "dsk_live_run...");
        assertThat(summary).doesNotContain(k1).doesNotContain(k2);

        JsonNode r = new ObjectMapper().readTree(Files.readString(json));
        assertThat(r.path("answered").asLong()).isEqualTo(400);
        assertThat(r.path("by_status").path("200").asLong() + r.path("by_status").path("401").asLong()).isEqualTo(400);
        assertThat(r.path("by_key")).hasSize(2);
        long known2xx = 0;
        for (JsonNode k : r.path("by_key")) {
            assertThat(k.path("key_hash").asText()).isIn(ApiKeyFormat.sha256Hex(k1), ApiKeyFormat.sha256Hex(k2));
            known2xx += k.path("2xx").asLong();
        }
        assertThat(known2xx).isEqualTo(r.path("by_status").path("200").asLong());
        assertThat(Files.readString(json)).doesNotContain(k1);
    }
}
