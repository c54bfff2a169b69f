package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.config.EdgeConfig;
import ai.dalsi.gateway.metrics.EdgeMetrics;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.time.Clock;
import java.util.List;

/**
 * Builds each connection's pipeline: the transport handlers in the order {@link EdgePipeline}
 * documents, then the one handler that runs the request path's steps. The steps, the finisher and
 * the hand-off are shared by every connection; the handlers that keep per-connection state are new.
 * A connection over its address's cap ({@link ConnectionsPerAddress}) is closed here, before it
 * gets a pipeline.
 */
final class EdgeChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final EdgeConfig config;
    private final EdgeLifecycle lifecycle;
    private final Clock clock;
    private final List<ExchangeStep> steps;
    private final ExchangeFinisher finisher;
    private final BackendHandOff handOff;
    private final EdgeMetrics metrics;
    private final ConnectionsPerAddress connections;

    EdgeChannelInitializer(EdgeConfig config, EdgeLifecycle lifecycle, Clock clock, List<ExchangeStep> steps,
            ExchangeFinisher finisher, BackendHandOff handOff, EdgeMetrics metrics, ConnectionsPerAddress connections) {
        this.config = config;
        this.lifecycle = lifecycle;
        this.clock = clock;
        this.steps = steps;
        this.finisher = finisher;
        this.handOff = handOff;
        this.metrics = metrics;
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (!connections.admit(ch)) {
            metrics.connectionRefused();
            ch.close();
            return;
        }
        ConnectionState state = new ConnectionState();
        state.deadlines = new ReadDeadlines(config.headerTimeout(), config.bodyTimeout(),
                config.keepAliveIdleTimeout());
        ChannelPipeline p = ch.pipeline();
        p.addLast(EdgePipeline.DEADLINES, state.deadlines);
        p.addLast(EdgePipeline.HTTP, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxHeaderBytes())
                .setMaxHeaderSize(config.maxHeaderBytes())));
        p.addLast(EdgePipeline.KEEP_ALIVE, new HttpServerKeepAliveHandler());
        p.addLast(EdgePipeline.SEQUENCE, new RequestSequencer(state, lifecycle, clock, metrics));
        p.addLast(EdgePipeline.STAMP, new ResponseHeadersHandler(state, lifecycle));
        p.addLast(EdgePipeline.REQUEST_PATH, new RequestPathHandler(state, steps, finisher, handOff));
    }
}
