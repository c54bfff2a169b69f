package ai.dalsi.gateway.proxy;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.metering.TokenUsage;
import com.fasterxml.jackson.core.JsonFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on its way through the proxy, from {@code forward} to the last byte written to the
 * client. Lives on the inbound channel's event loop, which the backend connection shares, so its
 * state needs no synchronization.
 *
 * <pre>
 * CONNECTING -> AWAITING_HEADERS -> STREAMING -> ENDING (outcome reported, last bytes held) -> DONE
 *      \________________\_______________\____________\-> DONE (failure, timeout, client gone)
 * </pre>
 *
 * <p>Backpressure, as in Netty's HexDumpProxy: the backend connection has AUTO_READ off; after
 * each read batch the proxy flushes to the client and asks the backend for more only once the
 * last write to the client has succeeded. So at most one read's worth of response waits in the
 * gateway, however slow the client and however fast the backend.
 *
 * <p>Timeouts share one scheduled task, re-armed for the nearest deadline when it fires, instead of
 * one task per chunk; it is cancelled when the exchange ends.
 */
final class ProxyExchange implements ChannelFutureListener, Runnable, SseUsageFilter.Sink {

    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);

    /** An SSE event longer than this is forwarded unread; held bytes beyond it are let go. */
    static final int MAX_EVENT_BYTES = 1 << 20;

    private enum State { CONNECTING, AWAITING_HEADERS, STREAMING, ENDING, DONE }

    private enum Mode { PASS, JSON, SSE }

    private final TargetPool pool;
    private final Channel inbound;
    private final EventLoop loop;
    private final Ticker ticker;
    private final ProxyRequest request;
    private final ExchangeListener listener;
    private final ProxyConfig config;
    private final JsonFactory json;
    private final long startNanos;
    private final HttpHeaders headers;

    private State state = State.CONNECTING;
    /** The request body while the proxy may still need it (a retry). */
    private ByteBuf body;
    private String uri;
    private BackendChannelHandler backend;
    private ChannelFuture connectFuture;
    private boolean reusedConnection;
    private boolean retried;
    private boolean requestSent;

    private long sentNanos = -1;
    private long headersNanos = -1;
    private long lastActivity;
    /** A read of the backend is outstanding: the idle timeout runs. */
    private boolean awaitingBackend;
    private ScheduledFuture<?> timer;
    private long timerDeadline;

    private int status;
    private boolean keepAlive;
    private boolean skippingInformational;
    private Mode mode = Mode.PASS;
    private JsonUsageScanner jsonScanner;
    private SseUsageFilter sse;
    private TokenUsage usage;
    private long responseBytes;

    private ChannelFuture lastWrite;
    private boolean wroteInBatch;
    private boolean resumeArmed;
    /** The final content is being read: everything goes to {@link #held}. */
    private boolean holdingAll;
    private CompositeByteBuf held;
    /** A plain response's latest chunk, written when the next one comes (held with the end). */
    private HttpContent behind;
    private LastHttpContent heldLast;
    private boolean reported;

    ProxyExchange(TargetPool pool, Channel inbound, ProxyRequest request, ExchangeListener listener,
                  ProxyConfig config, JsonFactory json) {
        this.pool = pool;
        this.inbound = inbound;
        this.loop = inbound.eventLoop();
        this.ticker = loop.ticker();
        this.request = request;
        this.listener = listener;
        this.config = config;
        this.json = json;
        this.startNanos = ticker.nanoTime();
        this.body = request.body() == null ? Unpooled.EMPTY_BUFFER : request.body();
        this.headers = request.headers() == null ? new DefaultHttpHeaders() : request.headers();
    }

    /** Ends at once with {@code error}: the proxy is closed. */
    void reject(ErrorCode error, String message) {
        state = State.DONE;
        releaseAll();
        report(outcome(error.status().code(), null, false, error, message));
    }

    void start() {
        if (!inbound.isActive()) {
            state = State.DONE;
            releaseAll();
            report(outcome(499, null, true, null, "client closed the connection"));
            return;
        }
        inbound.closeFuture().addListener(this);
        int length = body.readableBytes();
        HttpMethod method = request.method();
        boolean sendLength = length > 0 || HttpMethod.POST.equals(method) || HttpMethod.PUT.equals(method)
                || HttpMethod.PATCH.equals(method);
        ProxyHeaders.prepareRequest(headers, pool.hostHeader, request.requestId(), pool.authorization, length, sendLength);
        uri = pool.pathPrefix.isEmpty() ? request.uri() : pool.pathPrefix + request.uri();
        ensureTimerBy(startNanos + config.totalTimeout().toNanos());
        BackendChannelHandler idle = pool.pollIdle();
        if (idle != null) {
            send(idle, true);
        } else {
            connect();
        }
    }

    // ---- connecting and sending

    private void connect() {
        state = State.CONNECTING;
        ChannelFuture f;
        try {
            f = pool.connect(inbound);
        } catch (RuntimeException e) {
            failBeforeHeaders(ErrorCode.UPSTREAM_ERROR, "could not connect to the backend: " + describe(e));
            return;
        }
        connectFuture = f;
        if (f.isDone()) {
            connected(f);
        } else {
            f.addListener((ChannelFutureListener) this::connected);
        }
    }

    private void connected(ChannelFuture f) {
        if (state != State.CONNECTING || f != connectFuture) {
            // The exchange ended while connecting: an unused fresh connection is worth keeping.
            if (f.isSuccess()) {
                pool.release(TargetPool.handlerOf(f.channel()), true);
            }
            return;
        }
        connectFuture = null;
        if (f.isSuccess()) {
            send(TargetPool.handlerOf(f.channel()), false);
        } else if (f.cause() instanceof ConnectTimeoutException) {
            failBeforeHeaders(ErrorCode.UPSTREAM_TIMEOUT,
                    "backend connect timeout after " + ProxyConfig.format(config.connectTimeout()));
        } else {
            failBeforeHeaders(ErrorCode.UPSTREAM_ERROR, "could not connect to the backend: " + describe(f.cause()));
        }
    }

    private void send(BackendChannelHandler handler, boolean reused) {
        backend = handler;
        handler.exchange = this;
        reusedConnection = reused;
        state = State.AWAITING_HEADERS;
        sentNanos = ticker.nanoTime();
        ByteBuf content;
        if (reused && !retried) {
            // Keep the body: a pooled connection the backend closed meanwhile gets one retry if the write fails.
            content = body.retainedDuplicate();
        } else {
            content = body;
            body = null;
        }
        ChannelFuture w = handler.channel.writeAndFlush(new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, request.method(), uri, content, headers, EmptyHttpHeaders.INSTANCE));
        if (w.isDone()) {
            requestWritten(w);
        } else {
            w.addListener((ChannelFutureListener) this::requestWritten);
        }
        if (state == State.AWAITING_HEADERS && backend == handler) {
            readBackend();
            ensureTimerBy(sentNanos + config.firstByteTimeout().toNanos());
        }
    }

    private void requestWritten(ChannelFuture w) {
        if (w.isSuccess()) {
            requestSent = true;
            if (body != null) {
                body.release();
                body = null;
            }
            return;
        }
        if (state != State.AWAITING_HEADERS || backend == null || backend.channel != w.channel()) {
            return;
        }
        if (reusedConnection && !retried && body != null) {
            // A failed write means the backend did not get the whole request, so it cannot have acted
            // on it: safe to send again. A request that was written is never sent twice.
            retried = true;
            log.debug("request {}: pooled backend connection was closed, retrying on a new one", request.requestId());
            closeBackend();
            connect();
            return;
        }
        failBeforeHeaders(ErrorCode.UPSTREAM_ERROR, "could not send the request to the backend: " + describe(w.cause()));
    }

    // ---- reading the response

    void backendRead(Object msg) {
        if (msg instanceof HttpResponse response) {
            onResponse(response);
        } else if (msg instanceof HttpContent content) {
            onContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponse(HttpResponse r) {
        if (state != State.AWAITING_HEADERS) {
            ReferenceCountUtil.release(r);
            if (state == State.STREAMING) {
                failAfterHeaders("backend sent a second response");
            }
            return;
        }
        if (r.decoderResult().isFailure()) {
            failBeforeHeaders(ErrorCode.UPSTREAM_ERROR, "invalid response from the backend: " + describe(r.decoderResult().cause()));
            return;
        }
        int code = r.status().code();
        if (code >= 100 && code < 200) {
            skippingInformational = true;
            return;
        }
        headersNanos = ticker.nanoTime();
        lastActivity = headersNanos;
        status = code;
        keepAlive = HttpUtil.isKeepAlive(r);
        String contentType = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
        boolean success = code >= 200 && code < 300;
        if (success && contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17)) {
            mode = Mode.SSE;
            sse = new SseUsageFilter(!request.clientAskedForUsage(), MAX_EVENT_BYTES, json, this);
        } else if (success && contentType != null && AsciiString.containsIgnoreCase(contentType, "json")) {
            mode = Mode.JSON;
            jsonScanner = new JsonUsageScanner(json, config.usageScanLimitBytes());
        }
        boolean hasBody = code != 204 && code != 304 && !HttpMethod.HEAD.equals(request.method());
        ProxyHeaders.prepareResponse(r.headers(), request.responseHeaders(), mode == Mode.SSE, hasBody);
        state = State.STREAMING;
        write(r);
    }

    private void onContent(HttpContent c) {
        if (state != State.STREAMING) {
            if (skippingInformational && c instanceof LastHttpContent) {
                skippingInformational = false;
            }
            c.release();
            return;
        }
        if (c.decoderResult().isFailure()) {
            String why = describe(c.decoderResult().cause());
            c.release();
            failAfterHeaders("invalid response body from the backend: " + why);
            return;
        }
        lastActivity = ticker.nanoTime();
        boolean last = c instanceof LastHttpContent;
        ByteBuf content = c.content();
        switch (mode) {
            case SSE -> {
                holdingAll = last;
                if (sse.accept(content)) {
                    if (last) {
                        hold(content.retainedSlice());
                        c.release();
                    } else {
                        responseBytes += content.readableBytes();
                        write(c);
                    }
                } else {
                    c.release();
                }
                if (last) {
                    sse.finish();
                    usage = sse.usage();
                    LastHttpContent end = (LastHttpContent) c;
                    heldLast = end.trailingHeaders().isEmpty()
                            ? LastHttpContent.EMPTY_LAST_CONTENT
                            : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, end.trailingHeaders());
                    backendEnded();
                }
            }
            case JSON, PASS -> {
                if (mode == Mode.JSON) {
                    jsonScanner.feed(content);
                }
                responseBytes += content.readableBytes();
                // One chunk behind: the last bytes of the body, not just the end of the chunked
                // encoding, wait with the end for the usage to be journaled.
                if (!last) {
                    HttpContent previous = behind;
                    behind = c;
                    if (previous != null) {
                        write(previous);
                    }
                } else {
                    if (mode == Mode.JSON) {
                        usage = jsonScanner.finish();
                        jsonScanner = null;
                    }
                    heldLast = (LastHttpContent) c;
                    backendEnded();
                }
            }
        }
    }

    void backendReadComplete() {
        if (state != State.AWAITING_HEADERS && state != State.STREAMING) {
            return;
        }
        if (wroteInBatch) {
            wroteInBatch = false;
            inbound.flush();
        }
        requestMore();
    }

    /** Reads more from the backend once the client took what was written; otherwise when it does. */
    private void requestMore() {
        ChannelFuture w = lastWrite;
        if (w == null || w.isSuccess()) {
            lastWrite = null;
            readBackend();
        } else if (w.isDone()) {
            // The client connection failed; its close listener ends the exchange.
            inbound.close();
        } else if (!resumeArmed) {
            resumeArmed = true;
            awaitingBackend = false;
            w.addListener((ChannelFutureListener) f -> {
                resumeArmed = false;
                if (state == State.AWAITING_HEADERS || state == State.STREAMING) {
                    requestMore();
                }
            });
        }
    }

    private void readBackend() {
        awaitingBackend = true;
        lastActivity = ticker.nanoTime();
        backend.channel.read();
        if (state == State.STREAMING) {
            ensureTimerBy(lastActivity + config.idleTimeout().toNanos());
        }
    }

    void backendInactive() {
        if (state == State.AWAITING_HEADERS) {
            if (!requestSent) {
                // The request write fails with the connection; requestWritten decides (retry or 502).
                return;
            }
            failBeforeHeaders(ErrorCode.UPSTREAM_ERROR, "backend closed the connection before responding");
        } else if (state == State.STREAMING) {
            failAfterHeaders("backend closed the connection mid-response");
        }
    }

    void backendFailed(Throwable cause) {
        if (state == State.AWAITING_HEADERS) {
            if (!requestSent) {
                return;
            }
            failBeforeHeaders(ErrorCode.UPSTREAM_ERROR, "backend connection failed: " + describe(cause));
        } else if (state == State.STREAMING) {
            failAfterHeaders("backend connection failed mid-response: " + describe(cause));
        }
    }

    // ---- writing to the client

    private void write(Object msg) {
        lastWrite = inbound.write(msg);
        wroteInBatch = true;
    }

    @Override
    public void forward(ByteBuf buf) {
        if (holdingAll) {
            hold(buf);
            return;
        }
        responseBytes += buf.readableBytes();
        write(new DefaultHttpContent(buf));
    }

    @Override
    public void hold(ByteBuf buf) {
        responseBytes += buf.readableBytes();
        if (held == null) {
            held = inbound.alloc().compositeBuffer();
        }
        held.addComponent(true, buf);
        if (!holdingAll && held.readableBytes() > MAX_EVENT_BYTES) {
            // A backend that keeps sending after [DONE]: let it through rather than buffer without bound.
            write(new DefaultHttpContent(held));
            held = null;
        }
    }

    // ---- the end

    private void backendEnded() {
        state = State.ENDING;
        cancelTimer();
        long upstream = ticker.nanoTime() - sentNanos;
        BackendChannelHandler h = backend;
        backend = null;
        pool.release(h, keepAlive && requestSent);
        ProxyOutcome o = new ProxyOutcome(status, usage, responseBytes, latencyMs(), false, null, null, upstream);
        CompletionStage<Void> stage = report(o);
        if (stage == null) {
            stageCompleted(null, null);
        } else {
            // A stage that is already complete (the journal's usual answer) runs stageCompleted here,
            // which writes the rest and flushes the whole response at once: one write to the socket.
            stage.whenComplete(this::stageCompleted);
        }
        if (state == State.ENDING && wroteInBatch) {
            // The end waits for the stage; what came before it goes to the client now.
            wroteInBatch = false;
            inbound.flush();
        }
    }

    private void stageCompleted(Void ignored, Throwable failure) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> stageCompleted(ignored, failure));
            return;
        }
        if (state != State.ENDING) {
            return;
        }
        state = State.DONE;
        inbound.closeFuture().removeListener(this);
        if (failure != null) {
            log.warn("request {}: usage not confirmed, closing the client connection: {}", request.requestId(), failure.toString());
            releaseAll();
            inbound.flush();
            inbound.close();
            return;
        }
        if (held != null) {
            inbound.write(new DefaultHttpContent(held));
            held = null;
        }
        if (behind != null) {
            inbound.write(behind);
            behind = null;
        }
        LastHttpContent last = heldLast;
        heldLast = null;
        inbound.writeAndFlush(last);
    }

    /** The client connection closed. */
    @Override
    public void operationComplete(ChannelFuture future) {
        switch (state) {
            case CONNECTING, AWAITING_HEADERS, STREAMING -> {
                state = State.DONE;
                cancelTimer();
                // Closed, not pooled: the backend sees the close and stops generating.
                closeBackend();
                TokenUsage soFar = sse == null ? null : sse.usage();
                releaseAll();
                report(outcome(499, soFar, true, null, "client closed the connection"));
            }
            case ENDING -> {
                state = State.DONE;
                releaseAll();
            }
            case DONE -> { }
        }
    }

    /** Timeouts. */
    @Override
    public void run() {
        timer = null;
        if (state == State.ENDING || state == State.DONE) {
            return;
        }
        long now = ticker.nanoTime();
        if (now - startNanos >= config.totalTimeout().toNanos()) {
            String why = "no complete response within the total timeout of " + ProxyConfig.format(config.totalTimeout());
            if (state == State.STREAMING) {
                failAfterHeaders(why);
            } else {
                failBeforeHeaders(ErrorCode.UPSTREAM_TIMEOUT, why);
            }
        } else if (state == State.AWAITING_HEADERS && now - sentNanos >= config.firstByteTimeout().toNanos()) {
            failBeforeHeaders(ErrorCode.UPSTREAM_TIMEOUT,
                    "no response headers from the backend within " + ProxyConfig.format(config.firstByteTimeout()));
        } else if (state == State.STREAMING && awaitingBackend && now - lastActivity >= config.idleTimeout().toNanos()) {
            failAfterHeaders("backend sent nothing for " + ProxyConfig.format(config.idleTimeout()) + " mid-response");
        } else {
            ensureTimerBy(nextDeadline());
        }
    }

    private long nextDeadline() {
        long deadline = startNanos + config.totalTimeout().toNanos();
        if (state == State.AWAITING_HEADERS) {
            deadline = Math.min(deadline, sentNanos + config.firstByteTimeout().toNanos());
        } else if (state == State.STREAMING && awaitingBackend) {
            deadline = Math.min(deadline, lastActivity + config.idleTimeout().toNanos());
        }
        return deadline;
    }

    private void ensureTimerBy(long deadline) {
        if (timer != null) {
            if (timerDeadline <= deadline) {
                return;
            }
            timer.cancel(false);
        }
        timerDeadline = deadline;
        timer = loop.schedule(this, Math.max(0, deadline - ticker.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Nothing was written: the edge answers with {@code error}. */
    private void failBeforeHeaders(ErrorCode error, String message) {
        state = State.DONE;
        cancelTimer();
        inbound.closeFuture().removeListener(this);
        closeBackend();
        releaseAll();
        log.debug("request {}: {} ({})", request.requestId(), error.code(), message);
        report(outcome(error.status().code(), null, false, error, message));
    }

    /** The response started and cannot become an error any more: the client connection is closed. */
    private void failAfterHeaders(String message) {
        state = State.DONE;
        cancelTimer();
        inbound.closeFuture().removeListener(this);
        closeBackend();
        TokenUsage soFar = sse == null ? null : sse.usage();
        releaseAll();
        log.debug("request {}: response broken after headers ({})", request.requestId(), message);
        report(outcome(status, soFar, false, null, message));
        if (wroteInBatch) {
            wroteInBatch = false;
            inbound.flush();
        }
        inbound.close();
    }

    private void closeBackend() {
        BackendChannelHandler h = backend;
        if (h != null) {
            backend = null;
            h.exchange = null;
            h.channel.close();
        }
    }

    private void releaseAll() {
        if (body != null) {
            body.release();
            body = null;
        }
        if (sse != null) {
            sse.release();
        }
        if (jsonScanner != null) {
            jsonScanner.close();
            jsonScanner = null;
        }
        if (held != null) {
            held.release();
            held = null;
        }
        if (behind != null) {
            behind.release();
            behind = null;
        }
        if (heldLast != null) {
            heldLast.release();
            heldLast = null;
        }
    }

    private ProxyOutcome outcome(int code, TokenUsage u, boolean aborted, ErrorCode error, String message) {
        long upstream = sentNanos < 0 ? -1 : ticker.nanoTime() - sentNanos;
        return new ProxyOutcome(code, u, responseBytes, latencyMs(), aborted, error, message, upstream);
    }

    private Integer latencyMs() {
        if (headersNanos < 0) {
            return null;
        }
        return (int) Math.min(Integer.MAX_VALUE, Duration.ofNanos(headersNanos - sentNanos).toMillis());
    }

    private CompletionStage<Void> report(ProxyOutcome o) {
        if (reported) {
            return null;
        }
        reported = true;
        try {
            CompletionStage<Void> stage = listener.completed(o);
            return stage != null ? stage : CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            log.warn("request {}: exchange listener failed", request.requestId(), e);
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + m;
    }
}
