package ai.dalsi.gateway.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.concurrent.Executor;

/**
 * The admin port's pipeline, in request order:
 * <ol>
 *   <li>{@value #TIMEOUT}: closes connections idle for a minute;</li>
 *   <li>{@value #CODEC}: HTTP/1.1;</li>
 *   <li>{@value #CONTINUE}: answers {@code Expect: 100-continue};</li>
 *   <li>{@value #AGGREGATOR}: one full request, at most {@code admin.maxRequestBytes} (413 beyond);</li>
 *   <li>{@value #HANDLER}: hands it to the workers and writes the answer.</li>
 * </ol>
 */
final class AdminServerInitializer extends ChannelInitializer<SocketChannel> {

    static final String TIMEOUT = "timeout";
    static final String CODEC = "codec";
    static final String CONTINUE = "continue";
    static final String AGGREGATOR = "aggregator";
    static final String HANDLER = "handler";

    private final AdminDispatcher dispatcher;
    private final Executor workers;
    private final int maxRequestBytes;

    AdminServerInitializer(AdminDispatcher dispatcher, Executor workers, int maxRequestBytes) {
        this.dispatcher = dispatcher;
        this.workers = workers;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(TIMEOUT, new ReadTimeoutHandler(60));
        p.addLast(CODEC, new HttpServerCodec());
        p.addLast(CONTINUE, new HttpServerExpectContinueHandler());
        p.addLast(AGGREGATOR, new HttpObjectAggregator(maxRequestBytes));
        p.addLast(HANDLER, new AdminHttpHandler(dispatcher, workers));
    }
}
