package ai.dalsi.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The ports start-up tests hand their child processes. */
class GatewayProcessTest {

    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    @Test
    @EnabledOnOs(OS.LINUX)
    void theEphemeralRangeIsReadWhole() throws IOException {
        String first = Files.readAllLines(RANGE).get(0).trim().split("\\s+")[0];
        assertThat(GatewayProcess.ephemeralRangeStart()).isEqualTo(Integer.parseInt(first)).isGreaterThan(1024);
    }

    /**
     * 300 draws from the 12,000 ports below the range would repeat one about 98 times in 100 if
     * ports were not handed out once.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void freePortsAreDrawnBelowTheEphemeralRangeAndNeverTwice() {
        int low = GatewayProcess.ephemeralRangeStart();
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            int port = GatewayProcess.freePort();
            assertThat(port).isBetween(Math.max(10_000, low - 12_000), low - 1);
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
        }
    }

    /** Test JVMs that run at once draw from shares of the ports that touch and never overlap. */
    @Test
    void eachTestJvmDrawsFromItsOwnShareOfThePorts() {
        assertThat(GatewayProcess.share(32_768, 1, 1)).containsExactly(20_768, 32_768);
        assertThat(GatewayProcess.share(32_768, 1, 2)).containsExactly(20_768, 26_768);
        assertThat(GatewayProcess.share(32_768, 2, 2)).containsExactly(26_768, 32_768);
        assertThat(GatewayProcess.share(32_768, 3, 3)).containsExactly(28_768, 32_768);
        assertThat(GatewayProcess.share(15_000, 2, 2)).as("none below 10,000").containsExactly(12_500, 15_000);
    }
}
