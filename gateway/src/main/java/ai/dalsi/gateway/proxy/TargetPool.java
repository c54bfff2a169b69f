package ai.dalsi.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive connections of one event loop to one backend, with what every request to that
 * backend needs precomputed (Host, path prefix, Authorization). Used only on its event loop, so it
 * needs no locks. Connections to an https backend start with a TLS handshake ({@link UpstreamTls});
 * a new connection counts as connected once the handshake succeeded. Idle connections are reused last-in first-out (the most recently used is the
 * least likely to have been closed by the backend), keep a read pending so a close by the backend
 * is noticed at once, and are closed after {@link ProxyConfig#idleConnectionTimeout()}.
 */
final class TargetPool {

    final BackendTarget target;
    final EventLoop loop;
    final AsciiString hostHeader;
    final String pathPrefix;
    /** {@link BackendTarget#name()}, worked out once: every answer's usage row names its backend. */
    final String name;
    /** {@code Bearer <apiKey>}, or null. */
    final AsciiString authorization;

    private final BackendConnector connector;
    private final int maxIdle;
    private final long idleTimeoutNanos;
    private final ArrayDeque<BackendChannelHandler> idle = new ArrayDeque<>();
    private final ChannelInitializer<Channel> initializer;
    private final boolean secure;
    private ScheduledFuture<?> sweep;
    private boolean closed;

    TargetPool(EventLoop loop, BackendTarget target, BackendConnector connector, ProxyConfig config, SslContext tls) {
        this.loop = loop;
        this.target = target;
        this.connector = connector;
        this.maxIdle = config.maxIdleConnections();
        this.idleTimeoutNanos = config.idleConnectionTimeout().toNanos();
        this.hostHeader = AsciiString.of(target.hostHeader());
        this.pathPrefix = target.pathPrefix();
        this.name = target.name();
        this.authorization = target.apiKey() == null ? null : AsciiString.of("Bearer " + target.apiKey());
        TargetPool pool = this;
        SslContext ssl = target.secure() ? tls : null;
        long handshakeMillis = config.connectTimeout().toMillis();
        this.secure = ssl != null;
        this.initializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (ssl != null) {
                    // The host name goes out as SNI and is checked against the certificate.
                    SslHandler handler = ssl.newHandler(ch.alloc(), target.host(), target.port());
                    handler.setHandshakeTimeoutMillis(handshakeMillis);
                    ch.pipeline().addLast(handler);
                }
                ch.pipeline().addLast(
                        new HttpClientCodec(new HttpDecoderConfig().setValidateHeaders(false), false, false),
                        new BackendChannelHandler(pool));
            }
        };
    }

    /** A live idle connection, or null. */
    BackendChannelHandler pollIdle() {
        BackendChannelHandler h;
        while ((h = idle.pollLast()) != null) {
            if (h.channel.isActive()) {
                return h;
            }
            h.channel.close();
        }
        return null;
    }

    /**
     * A new connection (its last handler is a {@link BackendChannelHandler}), done when it can carry
     * a request: connected, and for https after the TLS handshake (a failed handshake fails the future
     * with its {@link javax.net.ssl.SSLException} and closes the connection).
     */
    ChannelFuture connect(Channel inbound) {
        ChannelFuture tcp = connector.connect(inbound, target, initializer);
        if (!secure) {
            return tcp;
        }
        ChannelPromise ready = tcp.channel().newPromise();
        tcp.addListener(f -> {
            if (!f.isSuccess()) {
                ready.tryFailure(f.cause());
                return;
            }
            SslHandler tls = tcp.channel().pipeline().get(SslHandler.class);
            tls.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    ready.trySuccess();
                } else {
                    ready.tryFailure(h.cause());
                    tcp.channel().close();
                }
            });
        });
        return ready;
    }

    /** The handler of a connection {@link #connect} opened. */
    static BackendChannelHandler handlerOf(Channel ch) {
        return ch.pipeline().get(BackendChannelHandler.class);
    }

    /**
     * An exchange is done with the connection: back to the pool when it can carry another request,
     * closed otherwise.
     */
    void release(BackendChannelHandler handler, boolean reusable) {
        Channel ch = handler.channel;
        handler.user = null;
        if (!reusable || closed || !ch.isActive() || idle.size() >= maxIdle) {
            ch.close();
            return;
        }
        handler.idleSince = loop.ticker().nanoTime();
        idle.addLast(handler);
        // With AUTO_READ off an idle connection would not see the backend's FIN until it is used again.
        ch.read();
        if (sweep == null) {
            sweep = loop.schedule(this::sweep, idleTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The backend closed an idle connection. */
    void removeIdle(BackendChannelHandler handler) {
        idle.remove(handler);
    }

    int idleCount() {
        return idle.size();
    }

    private void sweep() {
        sweep = null;
        long now = loop.ticker().nanoTime();
        BackendChannelHandler oldest;
        while ((oldest = idle.peekFirst()) != null) {
            long age = now - oldest.idleSince;
            if (age < idleTimeoutNanos) {
                sweep = loop.schedule(this::sweep, idleTimeoutNanos - age, TimeUnit.NANOSECONDS);
                return;
            }
            idle.pollFirst();
            oldest.channel.close();
        }
    }

    /** Closes idle connections; connections in use are closed when their exchange ends. */
    void close() {
        closed = true;
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
        BackendChannelHandler h;
        while ((h = idle.pollFirst()) != null) {
            h.channel.close();
        }
    }
}
