package ai.dalsi.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a backend connection: hands what the backend sends to the {@link User} that
 * currently uses the connection (an {@link Attempt}). While the connection idles in the pool there
 * is none: data then is a protocol error (the connection is closed), and a close removes it from the
 * pool.
 */
final class BackendChannelHandler extends ChannelInboundHandlerAdapter {

    /** Who reads a connection while it carries a request. */
    interface User {
        void backendRead(Object msg);

        void backendReadComplete();

        void backendInactive();

        void backendFailed(Throwable cause);
    }

    private final TargetPool pool;
    /** The connection this handler belongs to (kept: a closed channel's pipeline is emptied). */
    Channel channel;
    /** Who uses this connection, or null while it is idle (or being discarded). */
    User user;
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
        User u = user;
        if (u != null) {
            u.backendRead(msg);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        User u = user;
        if (u != null) {
            u.backendReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        User u = user;
        if (u != null) {
            u.backendInactive();
        } else {
            pool.removeIdle(this);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        User u = user;
        if (u != null) {
            u.backendFailed(cause);
        }
        ctx.close();
    }
}
