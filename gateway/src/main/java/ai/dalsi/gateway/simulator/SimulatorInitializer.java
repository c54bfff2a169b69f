package ai.dalsi.gateway.simulator;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;

/**
 * The simulator's pipeline, in the order a request passes it:
 * <pre>
 * {@value #TLS}          TLS, when the backend was started with a server context
 * {@value #CONNECTIONS}  count open connections
 * {@value #CODEC}        HTTP/1.1 decode and encode
 * {@value #KEEP_ALIVE}   keep the connection open unless the request says otherwise
 * {@value #AGGREGATOR}   whole requests; larger than {@link #MAX_BODY_BYTES}: 413
 * {@value #SIMULATOR}    plan the reply, wait, answer or stream
 * </pre>
 */
final class SimulatorInitializer extends ChannelInitializer<SocketChannel> {

    static final String TLS = "tls";
    static final String CONNECTIONS = "connections";
    static final String CODEC = "codec";
    static final String KEEP_ALIVE = "keepAlive";
    static final String AGGREGATOR = "aggregator";
    static final String SIMULATOR = "simulator";

    /** Room for a multimodal message with an inline image. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private final ConnectionCountHandler connections;
    private final ReplyPlanner planner;
    private final Bodies bodies;
    private final SimulatorStats stats;
    private final Clock clock;
    private final SslContext tls;

    SimulatorInitializer(ReplyPlanner planner, Bodies bodies, SimulatorStats stats, Clock clock, SslContext tls) {
        this.tls = tls;
        this.connections = new ConnectionCountHandler(stats);
        this.planner = planner;
        this.bodies = bodies;
        this.stats = stats;
        this.clock = clock;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            p.addLast(TLS, tls.newHandler(ch.alloc()));
        }
        p.addLast(CONNECTIONS, connections);
        p.addLast(CODEC, new HttpServerCodec());
        p.addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler());
        p.addLast(AGGREGATOR, new OversizedRequestAggregator(MAX_BODY_BYTES, bodies, stats));
        p.addLast(SIMULATOR, new SimulatorHandler(planner, bodies, stats, clock));
    }
}
