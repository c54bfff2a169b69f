package ai.dalsi.gateway.simulator;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One server-sent-event stream on one connection: writes the chunks of a {@link Reply.Generation},
 * paced by a fixed-rate timer on the channel's event loop (never a sleep), pausing while the
 * channel is not writable and stopping for good when the client goes away. Used only from the
 * channel's event loop.
 */
final class StreamSession {

    private static final AsciiString EVENT_STREAM = AsciiString.cached("text/event-stream; charset=utf-8");
    /** Below this interval tokens are sent in small batches per tick rather than one timer per token. */
    private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ChannelHandlerContext ctx;
    private final Reply.Generation reply;
    private final Bodies bodies;
    private final byte[] prefix;
    private final byte[] model;
    private final long created;
    private final boolean chunked;
    private final SimulatorStats stats;
    private final Runnable onEnd;

    /** Content tokens written so far. */
    private int sent;
    /** Content tokens the pace allows by now. */
    private int allowed;
    private long ticks;
    private double tokensPerTick;
    private ScheduledFuture<?> ticker;
    private ChannelFuture lastWrite;
    private boolean ended;

    /**
     * @param chunked chunked transfer encoding (HTTP/1.1); otherwise the end of the body is the
     *                end of the connection (HTTP/1.0)
     */
    StreamSession(ChannelHandlerContext ctx, Reply.Generation reply, Bodies bodies, byte[] prefix, byte[] model,
            long created, boolean chunked, SimulatorStats stats, Runnable onEnd) {
        this.ctx = ctx;
        this.reply = reply;
        this.bodies = bodies;
        this.prefix = prefix;
        this.model = model;
        this.created = created;
        this.chunked = chunked;
        this.stats = stats;
        this.onEnd = onEnd;
    }

    /** Sends the head and the first token (the time to first token has passed). */
    void start() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, EVENT_STREAM)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        if (chunked) {
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else {
            // The keep-alive handler closes the connection after a response marked so.
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        lastWrite = ctx.write(head);
        ByteBuf first = bodies.firstChunk(ctx.alloc(), reply, prefix, model, created);
        if (first != null) {
            lastWrite = ctx.write(new DefaultHttpContent(first));
        }
        int total = reply.completionTokens();
        double pace = reply.tokensPerSecond();
        if (pace == 0 || total <= 1) {
            allowed = total;
        } else {
            allowed = 1;
            long interval = (long) Math.ceil(1e9 / pace);
            long tick = Math.max(interval, MIN_TICK_NANOS);
            tokensPerTick = pace * tick / 1e9;
            // Fixed rate: the deadlines come from the start, so a late tick does not slow the stream.
            ticker = ctx.executor().scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.NANOSECONDS);
        }
        pump();
        if (!ended) {
            ctx.flush();
        }
    }

    /** The channel became writable again. */
    void resume() {
        if (!ended) {
            pump();
            if (!ended) {
                ctx.flush();
            }
        }
    }

    /** The client went away before the end. */
    void cancel() {
        if (!ended) {
            ended = true;
            stopTicker();
            stats.streamCancelled();
        }
    }

    private void tick() {
        if (ended) {
            stopTicker();
            return;
        }
        ticks++;
        allowed = (int) Math.min(reply.completionTokens(), 1 + (long) (ticks * tokensPerTick));
        if (allowed >= reply.completionTokens()) {
            stopTicker();
        }
        boolean before = sent < allowed;
        pump();
        if (before && !ended) {
            ctx.flush();
        }
    }

    /** Writes what the pace allows while the channel takes it; ends the stream after the last token. */
    private void pump() {
        int abortAfter = reply.abortAfterTokens();
        while (sent < allowed && ctx.channel().isWritable()) {
            if (sent == abortAfter) {
                abort();
                return;
            }
            lastWrite = ctx.write(new DefaultHttpContent(bodies.tokenChunk(ctx.alloc(), reply, prefix, sent)));
            sent++;
        }
        if (sent == reply.completionTokens()) {
            if (abortAfter >= 0) {
                abort();
            } else {
                finish();
            }
        }
    }

    private void finish() {
        ended = true;
        stopTicker();
        // Counted first, so that a client that has read [DONE] finds the stream counted.
        stats.streamCompleted();
        ctx.writeAndFlush(new DefaultLastHttpContent(bodies.lastChunks(ctx.alloc(), reply, prefix, model, created)));
        onEnd.run();
    }

    /** The {@code x-sim-abort-after-tokens} fault: close once what was written is on the wire. */
    private void abort() {
        ended = true;
        stopTicker();
        ctx.flush();
        lastWrite.addListener(ChannelFutureListener.CLOSE);
    }

    private void stopTicker() {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
    }
}
