package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.error.ErrorRenderer;
import ai.dalsi.gateway.metrics.EdgeMetrics;
import ai.dalsi.persistence.UuidV7;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;

/**
 * Serves a connection's requests one at a time, in order: a request that arrives while another is
 * in flight (HTTP pipelining) waits here, and reading stops until the in-flight one ended, so a
 * client cannot pile up work. Makes each request's {@link Exchange} from its head (with a request
 * id, a UUIDv7 of the injected clock: its instant is the usage row's {@code created_at}) and feeds
 * the body that follows into the exchange's {@link IncomingBody}. Reading stops at each head until
 * the request path asks for the body, so nothing but the head (and what came in the same read) is
 * read before the key is checked. The stop waits for the end of the read: a body that came whole
 * with its head (most do) needs none, and a stop and a restart are two system calls per request;
 * a body that goes on past the read stops reading as soon as a piece of it arrives.
 *
 * <p>A request answered before its body arrived (a 401, a 413, a shed 503) leaves the rest of its
 * body on the wire: up to {@value #DROP_BOUND} bytes are read and dropped so the connection can
 * carry the next request; more, or a body of unknown length, and the answer says
 * {@code Connection: close} and the connection closes. A read deadline that passes
 * ({@link ReadDeadlines}) is answered 408 and closes. Closes an idle connection only when nothing
 * is in flight, and a draining server's connections after their current response. Clients that
 * hang up mid-request are counted ({@code clientDisconnected}), never logged.
 */
final class RequestSequencer extends ChannelDuplexHandler {

    /** The most of an unwanted body read and dropped to keep the connection; beyond it the connection closes. */
    static final long DROP_BOUND = 64 * 1024;
    static final String HEAD_TIMEOUT_MESSAGE = "The request headers did not arrive in time.";

    private final ConnectionState state;
    private final EdgeLifecycle lifecycle;
    private final Clock clock;
    private final EdgeMetrics metrics;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(2);
    /** The body being read off the wire (its request's head came, its last byte not yet), or null. */
    private IncomingBody reading;
    /** The body being read is held: stop reading at the end of this read unless it ends in it. */
    private boolean stopAtReadEnd;
    /** The connection is closing on the edge's decision (not a client's hang-up). */
    private boolean closing;
    /** A deadline passed while a request was in flight: close once it is answered. */
    private boolean closeWhenAnswered;

    RequestSequencer(ConnectionState state, EdgeLifecycle lifecycle, Clock clock) {
        this(state, lifecycle, clock, EdgeMetrics.NOOP);
    }

    RequestSequencer(ConnectionState state, EdgeLifecycle lifecycle, Clock clock, EdgeMetrics metrics) {
        this.state = state;
        this.lifecycle = lifecycle;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head) {
            if (head.decoderResult().cause() instanceof PrematureChannelClosureException) {
                ReferenceCountUtil.release(msg); // the client left mid-head: counted when the channel goes inactive
                return;
            }
            if (state.deadlines != null) {
                state.deadlines.headRead(!(head instanceof LastHttpContent));
            }
        } else if (msg instanceof LastHttpContent && state.deadlines != null) {
            state.deadlines.bodyRead();
        }
        // Only a head's arrival is used (the exchange's start): no clock read for a body's pieces.
        long arrival = msg instanceof HttpRequest ? System.nanoTime() : 0L;
        if (!waiting.isEmpty()) {
            waiting.add(msg);
            waiting.add(arrival);
            return;
        }
        accept(ctx, msg, arrival);
    }

    /** Handles a head or a piece of a body in order; a head while another request is in flight waits. */
    private void accept(ChannelHandlerContext ctx, Object msg, long arrival) {
        if (msg instanceof HttpRequest head) {
            if (state.current != null) {
                waiting.add(msg);
                waiting.add(arrival);
                ctx.channel().config().setAutoRead(false);
                return;
            }
            dispatch(ctx, head, arrival);
            return;
        }
        HttpContent content = (HttpContent) msg;
        IncomingBody body = reading;
        if (body == null) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().cause() instanceof PrematureChannelClosureException) {
            content.release(); // the client left mid-body: channelInactive counts it and frees the body
            return;
        }
        body.offer(content);
        if (!last && stopAtReadEnd) {
            stopReading(ctx);
        }
        if (last) {
            reading = null;
            stopAtReadEnd = false;
            if (state.current == null) {
                next(ctx);
            }
        }
    }

    private void dispatch(ChannelHandlerContext ctx, HttpRequest head, long arrival) {
        var id = UuidV7.at(clock.millis());
        InetSocketAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
        Exchange ex;
        if (head instanceof FullHttpRequest full) {
            ex = Exchange.of(id, arrival, full, peer, state, ctx.alloc());
        } else {
            IncomingBody body = new IncomingBody(declaredLength(head), ctx.alloc(), () -> demand(ctx, head));
            ex = Exchange.of(id, arrival, head, body, peer, state, ctx.alloc());
            reading = body;
            // Nothing more is read until the path asks for the body (after the key was checked).
            stopAtReadEnd = true;
        }
        state.current = ex;
        ctx.fireChannelRead(ex);
    }

    /** Stops reading if the body being read is still held (not asked for by the path). */
    private void stopReading(ChannelHandlerContext ctx) {
        stopAtReadEnd = false;
        if (reading != null && reading.held()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (stopAtReadEnd) {
            stopReading(ctx);
        }
        ctx.fireChannelReadComplete();
    }

    private static long declaredLength(HttpRequest head) {
        if (HttpUtil.isTransferEncodingChunked(head)) {
            return -1;
        }
        try {
            return HttpUtil.getContentLength(head, 0L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The path asked for the body: read on, and say "100 Continue" to a client that waits for it. */
    private void demand(ChannelHandlerContext ctx, HttpRequest head) {
        stopAtReadEnd = false;
        if (waiting.isEmpty()) {
            ctx.channel().config().setAutoRead(true);
        }
        if (HttpUtil.is100ContinueExpected(head)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        Exchange ex = state.current;
        if (ex != null && msg instanceof HttpResponse response && ex.incoming != null) {
            IncomingBody body = ex.incoming;
            if (body.shed()) {
                response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            }
            if (body.timedOut() || body.remaining() > DROP_BOUND) {
                // The rest of the body will not be read: the connection cannot carry another request.
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
        }
        if (msg instanceof HttpResponse response && !HttpUtil.isKeepAlive(response)) {
            closing = true;
        }
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
        if (ex.incoming != null) {
            ex.incoming.abandon();
        }
        if (!ctx.channel().isActive()) {
            return;
        }
        if (lifecycle.draining() || closeWhenAnswered) {
            close(ctx);
            return;
        }
        IncomingBody body = reading;
        if (body != null) {
            if (body.timedOut() || body.remaining() > DROP_BOUND) {
                close(ctx);
                return;
            }
            ctx.channel().config().setAutoRead(true); // drop the little that is left, then the next request
            return;
        }
        next(ctx);
    }

    /** Goes on with what waited while a request was in flight, then reads again. */
    private void next(ChannelHandlerContext ctx) {
        while (!waiting.isEmpty()) {
            Object msg = waiting.peek();
            if (msg instanceof HttpRequest && (state.current != null || reading != null)) {
                return;
            }
            waiting.poll();
            long arrival = (Long) waiting.poll();
            accept(ctx, msg, arrival);
        }
        // Read on, unless a body is held until the path asks for it.
        ctx.channel().config().setAutoRead(reading == null || !reading.held());
        if (state.current == null && reading == null && state.deadlines != null) {
            state.deadlines.idle();
        }
    }

    /** Closes the connection if no request is in flight (for shutdown); called on the event loop. */
    void closeIfIdle(ChannelHandlerContext ctx) {
        if (state.current == null) {
            close(ctx);
        }
    }

    private void close(ChannelHandlerContext ctx) {
        closing = true;
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ReadDeadlines.Expired.IDLE) {
            if (state.current == null) {
                close(ctx);
            }
            return;
        }
        if (evt instanceof ReadDeadlines.Expired expired) {
            expired(ctx, expired);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /** A read deadline passed: 408 and close (or the waiting exchange answers 408 itself). */
    private void expired(ChannelHandlerContext ctx, ReadDeadlines.Expired expired) {
        if (expired == ReadDeadlines.Expired.BODY && reading != null && state.current != null
                && state.current.incoming == reading && !state.current.finished()) {
            reading.timeOut(); // the path answers 408 through the finisher (metered for a known key)
            if (reading.timedOut()) {
                return;
            }
        }
        if (state.current != null) {
            // A request waiting behind the one in flight (or its rest) ran out of time: no answer can
            // be given in order, so the connection closes once the one in flight is answered.
            closeWhenAnswered = true;
            return;
        }
        if (reading != null) {
            close(ctx); // the rest of an answered request's body did not come in time
            return;
        }
        metrics.rejected(ErrorCode.REQUEST_TIMEOUT);
        ByteBuf json = ErrorRenderer.render(ErrorCode.REQUEST_TIMEOUT, expired == ReadDeadlines.Expired.HEAD
                ? HEAD_TIMEOUT_MESSAGE : IncomingBody.TIMED_OUT.message(), null);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT, json);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, json.readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        closing = true;
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!closing && !lifecycle.draining()) {
            if (reading != null && !reading.complete()) {
                metrics.clientDisconnected("body");
            } else if (state.deadlines != null && state.deadlines.phase() == ReadDeadlines.Phase.HEAD) {
                metrics.clientDisconnected("head");
            }
        }
        if (reading != null) {
            reading.abandon();
        }
        releaseWaiting();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (reading != null) {
            reading.abandon();
        }
        releaseWaiting();
    }

    private void releaseWaiting() {
        Object o;
        while ((o = waiting.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }
}
