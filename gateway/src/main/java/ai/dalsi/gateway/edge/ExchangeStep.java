package ai.dalsi.gateway.edge;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A step of the request path: receives the {@link Exchange} from the step before, and either
 * passes it on ({@code ctx.fireChannelRead(ex)}) or ends it through the {@link ExchangeResponder}.
 */
abstract class ExchangeStep extends ChannelInboundHandlerAdapter {

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Exchange ex) {
            handle(ctx, ex);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    abstract void handle(ChannelHandlerContext ctx, Exchange ex);
}
