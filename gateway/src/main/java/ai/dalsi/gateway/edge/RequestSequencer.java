package ai.dalsi.gateway.edge;

import ai.dalsi.persistence.UuidV7;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;

/**
 * Serves a connection's requests one at a time, in order: a request that arrives while another is
 * in flight (HTTP pipelining) waits here, and reading stops until the in-flight one ended, so a
 * client cannot pile up work. Gives each request its id (a UUIDv7 of the injected clock: its
 * instant is the usage row's {@code created_at}). Closes an idle connection only when nothing is
 * in flight, and a draining server's connections after their current response.
 */
final class RequestSequencer extends ChannelDuplexHandler {

    private final ConnectionState state;
    private final EdgeLifecycle lifecycle;
    private final Clock clock;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(2);

    RequestSequencer(ConnectionState state, EdgeLifecycle lifecycle, Clock clock) {
        this.state = state;
        this.lifecycle = lifecycle;
        this.clock = clock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest) && !(msg instanceof OversizedRequest)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        long arrival = System.nanoTime();
        if (state.current != null || !waiting.isEmpty()) {
            waiting.add(msg);
            waiting.add(arrival);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        dispatch(ctx, msg, arrival);
    }

    private void dispatch(ChannelHandlerContext ctx, Object msg, long arrival) {
        var id = UuidV7.at(clock.millis());
        InetSocketAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
        Exchange ex = msg instanceof FullHttpRequest r ? Exchange.of(id, arrival, r, peer, state, ctx.alloc())
                : Exchange.of(id, arrival, (OversizedRequest) msg, peer, state, ctx.alloc());
        state.current = ex;
        ctx.fireChannelRead(ex);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        Exchange ex = state.current;
        if (ex != null && msg instanceof LastHttpContent) {
            promise = promise.unvoid();
            promise.addListener(f -> ended(ctx, ex));
        }
        ctx.write(msg, promise);
    }

    private void ended(ChannelHandlerContext ctx, Exchange ex) {
        if (state.current != ex) {
            return;
        }
        state.current = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (lifecycle.draining()) {
            ctx.close();
            return;
        }
        if (!waiting.isEmpty()) {
            Object next = waiting.poll();
            long arrival = (Long) waiting.poll();
            dispatch(ctx, next, arrival);
            return;
        }
        ctx.channel().config().setAutoRead(true);
    }

    /** Closes the connection if no request is in flight (for shutdown); called on the event loop. */
    void closeIfIdle(ChannelHandlerContext ctx) {
        if (state.current == null) {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (state.current == null) {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseWaiting();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseWaiting();
    }

    private void releaseWaiting() {
        Object o;
        while ((o = waiting.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }
}
