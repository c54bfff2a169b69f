package ai.dalsi.gateway.edge;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per TCP peer address ({@code edge.maxConnectionsPerAddress}): a connection over
 * the cap is closed at accept, before anything is read or answered (a client has nothing to be
 * told that a retry on an existing connection would not give it). The address is the socket peer:
 * a trusted proxy's forwarded address is only known once a request's headers are read, too late
 * for a cap on connections, so behind a proxy the cap counts the proxy's connections and should
 * be raised (or 0: no cap). Shared by every connection.
 */
final class ConnectionsPerAddress {

    private final int max;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    ConnectionsPerAddress(int max) {
        this.max = max;
    }

    /** Counts the connection until it closes; false (nothing counted) when its address is at the cap. */
    boolean admit(Channel ch) {
        if (max == 0 || !(ch.remoteAddress() instanceof InetSocketAddress peer) || peer.getAddress() == null) {
            return true;
        }
        InetAddress address = peer.getAddress();
        boolean[] admitted = {false};
        open.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            if (count >= max) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (admitted[0]) {
            ch.closeFuture().addListener(f -> open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1));
        }
        return admitted[0];
    }

    /** Connections open now from {@code address}. */
    int open(InetAddress address) {
        return open.getOrDefault(address, 0);
    }
}
