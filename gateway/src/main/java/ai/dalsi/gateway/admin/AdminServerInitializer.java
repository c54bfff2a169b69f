package ai.dalsi.gateway.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.ReadTimeoutHandler;

/**
 * The admin port's pipeline, in request order:
 * <ol>
 *   <li>{@value #TIMEOUT}: closes connections idle for a minute;</li>
 *   <li>{@value #CODEC}: HTTP/1.1;</li>
 *   <li>{@value #CONTINUE}: answers {@code Expect: 100-continue};</li>
 *   <li>{@value #AGGREGATOR}: one full request, at most {@code admin.maxRequestBytes} (a larger
 *       one becomes an {@link AdminHttpHandler.Oversized}, answered with the admin API's 413);</li>
 *   <li>{@value #HANDLER}: one request at a time, in order, to the dispatcher and back.</li>
 * </ol>
 */
final class AdminServerInitializer extends ChannelInitializer<SocketChannel> {

    static final String TIMEOUT = "timeout";
    static final String CODEC = "codec";
    static final String CONTINUE = "continue";
    static final String AGGREGATOR = "aggregator";
    static final String HANDLER = "handler";

    private final AdminDispatcher dispatcher;
    private final int maxRequestBytes;

    AdminServerInitializer(AdminDispatcher dispatcher, int maxRequestBytes) {
        this.dispatcher = dispatcher;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(TIMEOUT, new ReadTimeoutHandler(60));
        p.addLast(CODEC, new HttpServerCodec());
        p.addLast(CONTINUE, new HttpServerExpectContinueHandler());
        p.addLast(AGGREGATOR, new BodyLimit(maxRequestBytes));
        p.addLast(HANDLER, new AdminHttpHandler(dispatcher));
    }

    /** Netty's aggregator, passing a body over the limit on as a marker instead of a bare 413 of its own. */
    static final class BodyLimit extends HttpObjectAggregator {

        BodyLimit(int maxRequestBytes) {
            super(maxRequestBytes);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            // Like Netty: the connection stays usable only if the rest of the body is still to come.
            boolean keepAlive = !(oversized instanceof FullHttpMessage) && HttpUtil.isKeepAlive(oversized);
            ctx.fireChannelRead(new AdminHttpHandler.Oversized(maxContentLength(), keepAlive));
        }
    }
}
