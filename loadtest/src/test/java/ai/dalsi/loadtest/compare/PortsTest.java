package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

    /** 500 binds of port 0 would repeat a port almost surely (the ephemeral range holds ~28,000). */
    @Test
    void aPortIsHandedOutOnce() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            int port = Ports.free();
            assertThat(port).isPositive();
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
        }
    }
}
