package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.loadtest.gen.KeyClass;
import ai.dalsi.loadtest.gen.KeySet;
import ai.dalsi.loadtest.gen.LoadGenerator;
import ai.dalsi.loadtest.gen.LoadSpec;
import ai.dalsi.loadtest.gen.RunResult;
import ai.dalsi.loadtest.gen.StatusClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx arm for real where nginx is installed: {@code nginx -t} accepts the generated config,
 * and in front of the simulated backend it passes known keys, refuses unknown and malformed ones
 * with 401 and limits over-limit keys with 429. Where nginx is missing, the arm says how to get it.
 */
@Timeout(120)
class NginxArmIT {

    @TempDir
    Path dir;

    @Test
    void nginxProxiesKnownKeysRefusesBadOnesAndLimitsOverLimitKeys() throws Exception {
        String nginx = Pinning.which("nginx");
        if (nginx == null) {
            assertThatThrownBy(() -> NginxArm.binary(null)).isInstanceOf(ArmUnavailable.class)
                    .hasMessageContaining("apt-get install -y nginx");
            return;
        }
        SecureRandom random = new SecureRandom();
        List<String> known = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            known.add(ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, random));
        }
        List<String> over = List.of(ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, random));
        SimulatorConfig config = SimulatorConfig.builder().latency(Duration.ZERO).timeToFirstToken(Duration.ZERO)
                .tokensPerSecond(0).imageLatency(Duration.ZERO).build();
        try (SimulatedBackend backend = SimulatedBackend.start(config);
             NginxArm arm = NginxArm.start(nginx, dir, backend.baseUrl().getPort(), known, over,
                     Pinning.detect(false))) {
            assertThat(Files.readString(dir.resolve("nginx/nginx.conf"))).contains("listen 127.0.0.1:" + arm.url().getPort());

            KeySet keys = KeySet.of(known, over, 0.1, 0.1, 0.1);
            RunResult r = LoadGenerator.run(LoadSpec.of(arm.url(), LoadSpec.Mode.CLOSED, 0, Duration.ofSeconds(30), 4, keys)
                    .withMaxRequests(1000));

            assertThat(r.completed()).isEqualTo(1000);
            var byClass = r.byKeyClass();
            long[] k = byClass.get(KeyClass.KNOWN);
            assertThat(k[StatusClass.S2XX.ordinal()]).isEqualTo(k[0] + k[1] + k[2] + k[3]).isPositive();
            long[] o = byClass.get(KeyClass.OVER_LIMIT);
            // One request per minute passes; everything after it within the minute is limited.
            assertThat(o[StatusClass.S2XX.ordinal()]).isEqualTo(1);
            assertThat(o[StatusClass.S4XX.ordinal()]).isPositive();
            assertThat(r.byStatus().get(429)).isEqualTo(o[StatusClass.S4XX.ordinal()]);
            assertThat(byClass.get(KeyClass.UNKNOWN)[StatusClass.S4XX.ordinal()]
                    + byClass.get(KeyClass.MALFORMED)[StatusClass.S4XX.ordinal()]).isEqualTo(r.byStatus().get(401));
            assertThat(r.incompleteStreams()).isZero();
        }
    }

    @Test
    void nginxTestRejectsABrokenConfigWithItsOwnMessage() throws Exception {
        String nginx = Pinning.which("nginx");
        if (nginx == null) {
            assertThatThrownBy(() -> NginxArm.binary(null)).isInstanceOf(ArmUnavailable.class);
            return;
        }
        Path conf = dir.resolve("broken.conf");
        Files.writeString(conf, "events {}\nhttp { server { listen 127.0.0.1:1 } }\n");
        assertThatThrownBy(() -> NginxArm.check(List.of(nginx, "-p", dir.toString(), "-e", dir.resolve("e.log").toString(),
                "-c", conf.toString()), dir)).hasMessageContaining("nginx -t refused the generated config");
    }
}
