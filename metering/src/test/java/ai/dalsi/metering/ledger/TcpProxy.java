package ai.dalsi.metering.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A minimal TCP forwarder on 127.0.0.1 for making PostgreSQL unreachable in tests without
 * stopping the shared server: {@link #cut()} closes the listening port and resets every forwarded
 * connection (what a crashed server or a network partition looks like to the driver), and
 * {@link #restore()} listens on the same port again.
 */
final class TcpProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final int port;
    private volatile ServerSocket server;
    private volatile boolean open;

    private TcpProxy(InetSocketAddress target) {
        this.target = target;
        this.port = listen(0);
    }

    /** A proxy to the given server, listening on a free port. */
    static TcpProxy to(String host, int port) {
        return new TcpProxy(new InetSocketAddress(host, port));
    }

    int port() {
        return port;
    }

    /** The JDBC URL of a database through this proxy. */
    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private int listen(int onPort) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", onPort));
            server = s;
            open = true;
            Thread.ofPlatform().daemon(true).name("tcp-proxy-accept").start(() -> acceptLoop(s));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 2000);
                // Each side forwards what it reads at once, as a network would: with Nagle's algorithm a
                // forwarded write waits for the peer's delayed ACK, some 40 ms per round trip.
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException e) {
                reset(client);
                reset(upstream);
                continue;
            }
            // Registered before the check, so that cut() either resets them or makes the check fail.
            sockets.add(client);
            sockets.add(upstream);
            if (!open || s.isClosed()) {
                reset(client);
                reset(upstream);
                continue;
            }
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofPlatform().daemon(true).name("tcp-proxy-pump").start(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // the other side or cut() closed it
            } finally {
                reset(from);
                reset(to);
            }
        });
    }

    private void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException e) {
            // already closed
        }
        sockets.remove(s);
    }

    /** Stops listening and resets every connection. */
    void cut() {
        open = false;
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Socket s : sockets) {
            reset(s);
        }
    }

    /** Listens on the same port again. */
    void restore() {
        listen(port);
    }

    @Override
    public void close() {
        cut();
    }
}
