package ai.dalsi.loadtest.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Free TCP ports on the loopback interface, for processes that must be told their port up front. */
final class Ports {

    /** The ports handed out by this run. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    /**
     * A port that was free a moment ago (another process could take it before ours binds; unlikely
     * here) and that this run has not handed out before: the system may give the port it just let go
     * to the next bind of port 0, so a gateway's public and admin ports, asked for one after the
     * other, could otherwise be the same port, and that gateway would not start.
     */
    static int free() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free port", e);
            }
        }
        throw new IllegalStateException("no free port that this run has not handed out already");
    }
}
