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
 *
 * <p>One timer per connection, not two per request: a request only moves the deadline, and the
 * timer, when it fires, either finds the deadline passed or sleeps again until it. It is set anew
 * only when a deadline comes before the time it is set for, so on a busy keep-alive connection it
 * fires about once per {@code headerTimeout}, however many requests pass meanwhile.
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
    /** When the current phase's time runs out (the executor's ticker); meaningless between requests. */
    private long deadline;
    /** The pending check, or null. */
    private ScheduledFuture<?> timer;
    /** When the pending check runs (the executor's ticker). */
    private long timerAt;

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
        if (body) {
            start(Phase.BODY, bodyNanos);
        } else {
            phase = Phase.BETWEEN;
        }
    }

    /** The request's last byte was decoded. */
    void bodyRead() {
        phase = Phase.BETWEEN;
    }

    Phase phase() {
        return phase;
    }

    private void start(Phase p, long nanos) {
        phase = p;
        long now = ctx.executor().ticker().nanoTime();
        deadline = now + nanos;
        if (timer != null && timerAt - deadline > 0) {
            // The pending check comes after this deadline: it must come sooner.
            cancel();
        }
        if (timer == null) {
            schedule(now, deadline);
        }
    }

    private void schedule(long now, long at) {
        timerAt = at;
        timer = ctx.executor().schedule(this::check, at - now, TimeUnit.NANOSECONDS);
    }

    /** The pending check: the deadline passed (the event), is still ahead (sleep again) or nothing is timed. */
    private void check() {
        timer = null;
        if (phase == Phase.BETWEEN || !ctx.channel().isActive()) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        if (now - deadline >= 0) {
            ctx.fireUserEventTriggered(phase == Phase.HEAD ? Expired.HEAD : Expired.BODY);
        } else {
            schedule(now, deadline);
        }
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
