package ai.dalsi.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Total deadlines for reading a request ({@code edge.headerTimeout}, {@code edge.bodyTimeout}),
 * which, unlike the idle timer, do not restart with each byte: a client that trickles a byte of
 * its headers now and then still runs out of time. The head's clock starts at the first byte of a
 * request (so an idle keep-alive connection is left to the idle timer), the body's when the head
 * ends; both stop when what they time arrived. Sits before the HTTP decoder to see raw bytes; the
 * {@link RequestSequencer} tells it where a request is ({@link #headRead}, {@link #bodyRead}) and
 * receives a {@link Expired} event when a deadline passes (408, then close).
 */
final class ReadDeadlines extends ChannelInboundHandlerAdapter {

    /** The deadline that passed. */
    enum Expired { HEAD, BODY }

    /** Where the connection is in reading a request. */
    enum Phase { BETWEEN, HEAD, BODY }

    private final long headNanos;
    private final long bodyNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.BETWEEN;
    private ScheduledFuture<?> timer;

    ReadDeadlines(Duration head, Duration body) {
        this.headNanos = head.toNanos();
        this.bodyNanos = body.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.BETWEEN && msg instanceof ByteBuf b && b.isReadable()) {
            start(Phase.HEAD, headNanos);
        }
        ctx.fireChannelRead(msg);
    }

    /** A request's head was decoded; its body (if {@code body}) is timed from now. */
    void headRead(boolean body) {
        cancel();
        phase = Phase.BETWEEN;
        if (body) {
            start(Phase.BODY, bodyNanos);
        }
    }

    /** The request's last byte was decoded. */
    void bodyRead() {
        cancel();
        phase = Phase.BETWEEN;
    }

    Phase phase() {
        return phase;
    }

    private void start(Phase p, long nanos) {
        cancel();
        phase = p;
        Expired e = p == Phase.HEAD ? Expired.HEAD : Expired.BODY;
        timer = ctx.executor().schedule(() -> {
            timer = null;
            if (phase == p && ctx.channel().isActive()) {
                ctx.fireUserEventTriggered(e);
            }
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }
}
