package ai.dalsi.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a backend connection: hands what the backend sends to the exchange that
 * currently uses the connection. While the connection idles in the pool there is none: data then is
 * a protocol error (the connection is closed), and a close removes it from the pool.
 */
final class BackendChannelHandler extends ChannelInboundHandlerAdapter {

    private final TargetPool pool;
    /** The connection this handler belongs to (kept: a closed channel's pipeline is emptied). */
    Channel channel;
    /** The exchange using this connection, or null while it is idle (or being discarded). */
    ProxyExchange exchange;
    /** When the connection went back to the pool ({@link io.netty.util.concurrent.Ticker} time). */
    long idleSince;

    BackendChannelHandler(TargetPool pool) {
        this.pool = pool;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ProxyExchange e = exchange;
        if (e != null) {
            e.backendRead(msg);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ProxyExchange e = exchange;
        if (e != null) {
            e.backendReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ProxyExchange e = exchange;
        if (e != null) {
            e.backendInactive();
        } else {
            pool.removeIdle(this);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ProxyExchange e = exchange;
        if (e != null) {
            e.backendFailed(cause);
        }
        ctx.close();
    }
}
