package ai.dalsi.gateway.proxy;

import ai.dalsi.gateway.error.ErrorCode;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.util.Objects;

/**
 * The gateway's {@link BackendProxy}: a Netty HTTP/1.1 client (TLS for https backends) whose backend
 * connections live on the event loop of the inbound channel they serve (same transport, epoll or
 * NIO), pooled per event loop and backend, with backpressure in both directions, the timeouts of
 * {@link ProxyConfig}, retries on another backend of the model before the client saw a byte, a
 * circuit breaker per backend ({@link #health()}), and usage read from the response as it passes
 * (see {@link ProxyOutcome} and {@link ExchangeListener} for what the edge gets back).
 *
 * <p>One instance serves the whole gateway; build it once in the composition root and close it at
 * shutdown.
 */
public final class NettyBackendProxy implements BackendProxy {

    private final ProxyConfig config;
    private final BackendConnector connector;
    private final BackendPool pool;
    private final BackendHealth health;
    private final JsonFactory json;

    public NettyBackendProxy(ProxyConfig config) {
        this(config, new SocketConnector(config), Clock.systemUTC());
    }

    NettyBackendProxy(ProxyConfig config, BackendConnector connector, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.connector = connector;
        this.pool = new BackendPool(connector, config, UpstreamTls.clientContext(config));
        this.health = new BackendHealth(config, clock);
        // The longest string the proxy parses is a usage object or a stream event: Jackson's defaults do.
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                .build();
    }

    @Override
    public void forward(ChannelHandlerContext inbound, ProxyRequest request, ExchangeListener listener) {
        Channel channel = inbound.channel();
        EventLoop loop = channel.eventLoop();
        if (!loop.inEventLoop()) {
            loop.execute(() -> forward(inbound, request, listener));
            return;
        }
        ProxyExchange exchange = new ProxyExchange(pool, health, config, json, channel, request, listener);
        if (pool.isClosed()) {
            exchange.reject(ErrorCode.SERVICE_UNAVAILABLE, "the gateway is shutting down");
        } else {
            exchange.start();
        }
    }

    /** The circuit of every backend, for metrics and readiness. */
    public BackendHealth health() {
        return health;
    }

    /** Idle connections to {@code target} on {@code loop}; call on that loop (tests). */
    int idleConnections(EventLoop loop, BackendTarget target) {
        return pool.forTarget(loop, target).idleCount();
    }

    @Override
    public void close() {
        pool.close();
        connector.close();
    }
}
