package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of the pipeline. A failure no step handled becomes a 500 {@code internal_error} (logged
 * here, never shown to the client) if the request was not answered yet; socket errors just close
 * the connection; anything else that reaches the end is released.
 */
final class UnexpectedErrorHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedErrorHandler.class);

    private final ConnectionState state;
    private final ExchangeResponder responder;

    UnexpectedErrorHandler(ConnectionState state, ExchangeResponder responder) {
        this.state = state;
        this.responder = responder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            ctx.close();
            return;
        }
        Exchange ex = state.current;
        if (ex != null && !ex.answered) {
            LOG.error("request {} failed", ex.idText, cause);
            responder.reject(ctx, ex, ErrorCode.INTERNAL_ERROR, "The server had an error while processing your request.",
                    null);
            return;
        }
        LOG.warn("connection error: {}", cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange ex = state.current;
        if (ex != null && !ex.answered && ex.key != null) {
            // Gone while waiting for the limiter: still one usage event for the known key. (While a key
            // is still loading, the authentication step meters it when the load ends.)
            responder.abandoned(ctx, ex);
        }
        ctx.fireChannelInactive();
    }
}
