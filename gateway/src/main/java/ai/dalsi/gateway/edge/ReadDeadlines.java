package ai.dalsi.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The connection's clocks: total deadlines for reading a request ({@code edge.headerTimeout},
 * {@code edge.bodyTimeout}), and the keep-alive idle timeout ({@code edge.keepAliveIdleTimeout}).
 * The read deadlines do not restart with each byte: a client that trickles a byte of its headers
 * now and then still runs out of time. The head's clock starts at the first byte of a request, the
 * body's when the head ends; both stop when what they time arrived. Then nothing is timed while the
 * request is answered, however long that takes (a stream may run for minutes). The idle clock runs
 * from the connection's start, and from the moment the {@link RequestSequencer} says nothing is in
 * flight any more ({@link #idle}), until the next request's first byte. Sits before the HTTP decoder
 * to see raw bytes; the {@link RequestSequencer} tells it where a request is ({@link #headRead},
 * {@link #bodyRead}, {@link #idle}) and receives an {@link Expired} event when a time runs out:
 * 408 and close for a read deadline, close for the idle timeout.
 *
 * <p>One timer per connection, not one per request: a request only moves the deadline, and the
 * timer, when it fires, either finds the deadline passed or sleeps again until it. It is set anew
 * only when a deadline comes before the time it is set for, so on a busy keep-alive connection it
 * fires about once per {@code headerTimeout}, however many requests pass meanwhile. (Netty's
 * {@code IdleStateHandler} did the idle part before: it read the clock on every read and added a
 * listener to every write, to learn what the sequencer knows once per request.)
 */
final class ReadDeadlines extends ChannelInboundHandlerAdapter {

    /** The time that ran out. */
    enum Expired { HEAD, BODY, IDLE }

    /** Where the connection is. */
    enum Phase {
        /** Nothing in flight and nothing being read: the idle timeout runs. */
        IDLE,
        /** Reading a request's line and headers. */
        HEAD,
        /** Reading a request's body. */
        BODY,
        /** The request is read and being answered: nothing is timed here. */
        ANSWERING
    }

    private final long headNanos;
    private final long bodyNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.ANSWERING;
    /** When the current phase's time runs out (the executor's ticker); meaningless while answering. */
    private long deadline;
    /** The pending check, or null. */
    private ScheduledFuture<?> timer;
    /** When the pending check runs (the executor's ticker). */
    private long timerAt;

    ReadDeadlines(Duration head, Duration body, Duration idle) {
        this.headNanos = head.toNanos();
        this.bodyNanos = body.toNanos();
        this.idleNanos = idle.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Fires once the connection's pipeline is built (accepted connections are active at once). */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(Phase.IDLE, idleNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if ((phase == Phase.IDLE || phase == Phase.ANSWERING) && msg instanceof ByteBuf b && b.isReadable()) {
            start(Phase.HEAD, headNanos);
        }
        ctx.fireChannelRead(msg);
    }

    /** A request's head was decoded; its body (if {@code body}) is timed from now. */
    void headRead(boolean body) {
        if (body) {
            start(Phase.BODY, bodyNanos);
        } else {
            phase = Phase.ANSWERING;
        }
    }

    /** The request's last byte was decoded. */
    void bodyRead() {
        phase = Phase.ANSWERING;
    }

    /**
     * Nothing is in flight on the connection any more (the last answer was written, no request
     * waits): the idle timeout runs from now, unless the next request already began to arrive.
     */
    void idle() {
        if (phase == Phase.ANSWERING) {
            start(Phase.IDLE, idleNanos);
        }
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

    /** The pending check: the time ran out (the event), is still ahead (sleep again) or nothing is timed. */
    private void check() {
        timer = null;
        if (phase == Phase.ANSWERING || !ctx.channel().isActive()) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        if (now - deadline >= 0) {
            ctx.fireUserEventTriggered(switch (phase) {
                case HEAD -> Expired.HEAD;
                case BODY -> Expired.BODY;
                default -> Expired.IDLE;
            });
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
