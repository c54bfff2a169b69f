package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.error.ErrorRenderer;
import ai.dalsi.gateway.metrics.EdgeMetrics;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import ai.dalsi.gateway.ratelimit.Reservation;
import ai.dalsi.gateway.ratelimit.TokenStatus;
import ai.dalsi.metering.CostCalculator;
import ai.dalsi.metering.ProductKind;
import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.metering.UsageSink;
import ai.dalsi.metering.tokens.GeneratedText;
import ai.dalsi.metering.tokens.Prompt;
import ai.dalsi.metering.tokens.TokenCounter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.math.BigDecimal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place an exchange ends, entered once per request with its {@link Ending}: writes the
 * edge's own response (an error, the model list), hands the usage event to the sink and reports
 * the metrics. Keeps the ledger's promise: for a known key, a response is released only after
 * the sink's stage completed (and becomes a 503 if the sink did not take the event); for a
 * proxied response, the proxy waits on the stage {@link #proxied} returns. Runs on the channel's
 * event loop.
 */
final class ExchangeFinisher {

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeFinisher.class);
    /** Status recorded when the client went away before the response ended (nginx's convention). */
    static final int CLIENT_CLOSED = 499;
    /** Most images billed for an image answer that reported none. */
    static final int MAX_ESTIMATED_IMAGES = 10_000;
    static final String SINK_FAILED = "The server is temporarily unable to record usage; please retry shortly.";
    /**
     * Headers of the edge's own responses, not checked name by name and value by value as they are
     * set: every name is a constant and every value the edge's own (numbers, durations, the request
     * id, constants), never a client's or a backend's text.
     */
    static final HttpHeadersFactory OWN_HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory OWN_TRAILERS = DefaultHttpHeadersFactory.trailersFactory()
            .withValidation(false);

    private final UsageSink sink;
    private final EdgeMetrics metrics;
    private final KeyRateLimiter limiter;
    private final UsageEvents events;
    private final TokenCounter counter;

    ExchangeFinisher(UsageSink sink, EdgeMetrics metrics, KeyRateLimiter limiter, UsageEvents events,
            TokenCounter counter) {
        this.counter = counter;
        this.sink = sink;
        this.metrics = metrics;
        this.limiter = limiter;
        this.events = events;
    }

    /** Ends an exchange the edge answers itself (or that the client abandoned). */
    void finish(ChannelHandlerContext ctx, Exchange ex, Ending ending) {
        if (!ex.finish()) {
            if (ending instanceof StepResult.Answer a) {
                a.json().release();
            }
            return;
        }
        ex.releaseBody();
        ex.releasePrompt();
        // Whatever the edge answered itself, no backend produced anything for this request.
        release(ex.takeReservation());
        switch (ending) {
            case StepResult.Refusal r -> error(ctx, ex, r.code(), r.message(), r.param(), r.allow(), null, true);
            case Ending.UpstreamError u -> error(ctx, ex, u.code(), u.message(), null, null, u, false);
            case StepResult.Answer a -> respond(ctx, ex, response(HttpResponseStatus.OK, a.json()), null, null, false);
            case Ending.Abandoned a -> abandoned(ex);
            case Ending.Proxied p -> throw new IllegalArgumentException("a proxied exchange ends through proxied()");
        }
    }

    /**
     * The proxy's exchange ended: meter it, and return the stage the proxy waits on before the
     * last bytes.
     */
    CompletionStage<Void> proxied(ChannelHandlerContext ctx, Exchange ex, Ending.Proxied p) {
        if (!ex.finish()) {
            ex.releasePrompt();
            return CompletableFuture.completedStage(null);
        }
        int status = p.status();
        TokenUsage usage;
        try {
            usage = usage(ex, p);
        } finally {
            ex.releasePrompt();
        }
        BigDecimal cost = CostCalculator.ZERO;
        if (ex.model() != null && ex.product() != null) {
            cost = CostCalculator.cost(status, usage, ex.model().pricing(ex.product()));
        }
        String error = p.errorMessage();
        if (error == null && status >= 400) {
            error = "upstream status " + status;
        }
        settle(ex.takeReservation(), usage.totalTokens(), cost);
        long now = System.nanoTime();
        metrics.requestCompleted(ex.productTag(), status, ex.tierTag(), now - ex.arrivalNanos, ex.upstreamNanos(now));
        return accept(events.of(ex, status, p.responseBytes(), usage, cost, error, p.backendLatencyMs(),
                p.backend(), p.attempts(), p.clientAborted(), false, now));
    }

    /**
     * What a proxied request consumed: the usage the backend reported; else, for an answer that
     * succeeded or that the client left while it was being generated, the gateway's count with the
     * model's tokenizer of the prompt and of the text the backend generated (as far as the proxy
     * saw it: the backend is cancelled when the client leaves), flagged {@code estimated}. A
     * client that left before anything was generated consumed nothing billable; neither did an
     * answer that failed.
     */
    private TokenUsage usage(Exchange ex, Ending.Proxied p) {
        if (p.usage() != null) {
            return p.usage();
        }
        boolean ok = p.status() >= 200 && p.status() <= 299;
        if (ex.product() == null || (!ok && !p.clientAborted())) {
            return TokenUsage.NONE;
        }
        GeneratedText generated = ex.generated() == null ? new GeneratedText() : ex.generated();
        if (p.clientAborted() && generated.isEmpty()) {
            return TokenUsage.NONE;
        }
        Prompt prompt = ex.prompt() == null ? Prompt.NONE : RateLimitStep.prompt(ex.prompt());
        long n = ex.shape() == null ? 1 : ex.shape().n();
        int images = ok && ex.product().kind() == ProductKind.IMAGE ? (int) Math.min(n, MAX_ESTIMATED_IMAGES) : 0;
        return TokenUsage.counted(counter, ex.modelName(), prompt, generated, images);
    }

    private void error(ChannelHandlerContext ctx, Exchange ex, ErrorCode code, String message, String param,
            String allow, Ending.UpstreamError upstream, boolean refused) {
        if (code != ErrorCode.UPSTREAM_ERROR && code != ErrorCode.UPSTREAM_TIMEOUT) {
            metrics.rejected(code);
        }
        FullHttpResponse response = response(code.status(), ErrorRenderer.render(code, message, param));
        if (allow != null) {
            response.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        if (ex.oversized || ex.decodeFailure != null) {
            // The rest of the request was not read: the connection cannot carry another one.
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        respond(ctx, ex, response, message, upstream, refused);
    }

    private static FullHttpResponse response(HttpResponseStatus status, ByteBuf body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body, OWN_HEADERS, OWN_TRAILERS);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return r;
    }

    /**
     * Writes a response of the edge's own. For a known key, first completes the rate-limit
     * headers (peeking when the limit step was not reached) and waits for the sink.
     */
    private void respond(ChannelHandlerContext ctx, Exchange ex, FullHttpResponse response, String errorMessage,
            Ending.UpstreamError upstream, boolean refused) {
        if (ex.key() == null) {
            write(ctx, ex, response);
            return;
        }
        if (ex.limit() != null) {
            meterAndWrite(ctx, ex, response, errorMessage, upstream, refused);
            return;
        }
        CompletableFuture<Learned.Admitted> peek;
        try {
            peek = peek(ex.key());
        } catch (RuntimeException e) {
            peek = CompletableFuture.failedFuture(e);
        }
        if (peek.isDone()) {
            peeked(ctx, ex, response, errorMessage, upstream, refused, peek);
        } else {
            CompletableFuture<Learned.Admitted> p = peek;
            peek.whenComplete((d, e) -> ctx.executor().execute(
                    () -> peeked(ctx, ex, response, errorMessage, upstream, refused, p)));
        }
    }

    /** The key's request and token windows without taking anything from them. */
    private CompletableFuture<Learned.Admitted> peek(ApiKey key) {
        CompletableFuture<RateLimitDecision> requests = limiter.peek(key.limiterId(), key.limits());
        if (key.tokenLimits().unlimited()) {
            return requests.thenApply(d -> d == null ? null : new Learned.Admitted(d));
        }
        CompletableFuture<TokenStatus> tokens = limiter.peekTokens(key.limiterId(), key.tokenLimits());
        return requests.thenCombine(tokens, (d, t) -> d == null ? null : new Learned.Admitted(d, t, null, -1, false));
    }

    private void peeked(ChannelHandlerContext ctx, Exchange ex, FullHttpResponse response, String errorMessage,
            Ending.UpstreamError upstream, boolean refused, CompletableFuture<Learned.Admitted> peek) {
        if (!peek.isCompletedExceptionally() && peek.join() != null) {
            ex.learn(peek.join());
        }
        meterAndWrite(ctx, ex, response, errorMessage, upstream, refused);
    }

    private void meterAndWrite(ChannelHandlerContext ctx, Exchange ex, FullHttpResponse response, String errorMessage,
            Ending.UpstreamError upstream, boolean refused) {
        boolean gone = !ctx.channel().isActive();
        int status = gone ? CLIENT_CLOSED : response.status().code();
        UsageEvent event = events.of(ex, status, gone ? 0 : response.content().readableBytes(), TokenUsage.NONE,
                CostCalculator.ZERO, errorMessage, upstream == null ? null : upstream.backendLatencyMs(),
                upstream == null ? null : upstream.backend(), upstream == null ? 0 : upstream.attempts(), gone,
                refused && !gone, System.nanoTime());
        CompletableFuture<Void> f = accept(event).toCompletableFuture();
        if (f.isDone()) {
            afterSink(ctx, ex, response, f);
        } else {
            f.whenComplete((v, e) -> ctx.executor().execute(() -> afterSink(ctx, ex, response, f)));
        }
    }

    private void afterSink(ChannelHandlerContext ctx, Exchange ex, FullHttpResponse response, CompletableFuture<Void> f) {
        if (f.isCompletedExceptionally()) {
            response.release();
            metrics.rejected(ErrorCode.SERVICE_UNAVAILABLE);
            write(ctx, ex, response(ErrorCode.SERVICE_UNAVAILABLE.status(),
                    ErrorRenderer.render(ErrorCode.SERVICE_UNAVAILABLE, SINK_FAILED, null)));
            return;
        }
        write(ctx, ex, response);
    }

    private void write(ChannelHandlerContext ctx, Exchange ex, FullHttpResponse response) {
        long now = System.nanoTime();
        metrics.requestCompleted(ex.productTag(), response.status().code(), ex.tierTag(), now - ex.arrivalNanos,
                ex.upstreamNanos(now));
        if (!ctx.channel().isActive()) {
            ReferenceCountUtil.release(response);
            return;
        }
        ctx.writeAndFlush(response);
    }

    /** The client went away before the edge answered: meters a known key's request as 499. */
    private void abandoned(Exchange ex) {
        long now = System.nanoTime();
        metrics.requestCompleted(ex.productTag(), CLIENT_CLOSED, ex.tierTag(), now - ex.arrivalNanos,
                ex.upstreamNanos(now));
        if (ex.key() != null) {
            accept(events.of(ex, CLIENT_CLOSED, 0, TokenUsage.NONE, CostCalculator.ZERO,
                    "client closed the connection", null, null, 0, true, false, now));
        }
    }

    /**
     * A result a waiting step delivered after its exchange ended (the client left meanwhile):
     * frees what it holds, a model list's body or an admission's reservation.
     */
    void discard(StepResult late) {
        if (late instanceof StepResult.Answer a) {
            a.json().release();
        } else if (late instanceof Learned.Admitted a) {
            release(a.reservation());
        }
    }

    /** Gives an admitted request's reservation back whole: it consumed nothing. */
    private void release(Reservation r) {
        if (r != null) {
            settle(r, 0, CostCalculator.ZERO);
        }
    }

    /**
     * Ends a reservation with what the request really used (the tokens of its usage row, the cost
     * the ledger records), once: the exchange hands its reservation over only once. A limiter that
     * fails to settle (a shared store away) is logged; the reservation then runs out with its window.
     */
    private void settle(Reservation r, long tokens, BigDecimal cost) {
        if (r == null) {
            return;
        }
        try {
            limiter.settle(r, tokens, cost).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.warn("could not settle {}: {}", r, e.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("could not settle {}: {}", r, e.toString());
        }
    }

    private CompletionStage<Void> accept(UsageEvent event) {
        try {
            return sink.accept(event);
        } catch (RuntimeException e) {
            LOG.error("usage sink refused event {}: {}", event.requestId(), e.toString());
            return CompletableFuture.failedFuture(e);
        }
    }
}
