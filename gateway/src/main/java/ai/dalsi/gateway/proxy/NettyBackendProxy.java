package ai.dalsi.gateway.proxy;

import ai.dalsi.gateway.error.ErrorCode;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import java.util.Objects;

/**
 * The gateway's {@link BackendProxy}: a Netty HTTP/1.1 client whose backend connections live on
 * the event loop of the inbound channel they serve (same transport, epoll or NIO), pooled per event
 * loop and backend, with backpressure in both directions, the four timeouts of {@link ProxyConfig},
 * and usage read from the response as it passes (see {@link ProxyOutcome} and
 * {@link ExchangeListener} for what the edge gets back).
 *
 * <p>One instance serves the whole gateway; build it once in the composition root and close it at
 * shutdown.
 */
public final class NettyBackendProxy implements BackendProxy {

    private final ProxyConfig config;
    private final BackendConnector connector;
    private final BackendPool pool;
    private final JsonFactory json;

    public NettyBackendProxy(ProxyConfig config) {
        this(config, new SocketConnector(config));
    }

    NettyBackendProxy(ProxyConfig config, BackendConnector connector) {
        this.config = Objects.requireNonNull(config, "config");
        this.connector = connector;
        this.pool = new BackendPool(connector, config);
        // A base64 image is one long string: allow strings as long as the body the proxy reads at all.
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Math.max(config.usageScanLimitBytes(), StreamReadConstraints.DEFAULT_MAX_STRING_LEN))
                        .build())
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
        TargetPool target = pool.forTarget(loop, request.target());
        ProxyExchange exchange = new ProxyExchange(target, channel, request, listener, config, json);
        if (pool.isClosed()) {
            exchange.reject(ErrorCode.SERVICE_UNAVAILABLE, "the gateway is shutting down");
        } else {
            exchange.start();
        }
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
