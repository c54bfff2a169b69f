package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.error.ErrorRenderer;
import ai.dalsi.gateway.metrics.EdgeMetrics;
import ai.dalsi.gateway.proxy.ProxyOutcome;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import ai.dalsi.metering.CostCalculator;
import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.metering.UsageSink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends exchanges: the one place that writes the edge's own responses, hands usage events to the
 * sink and reports metrics. Keeps the ledger's promise: for a known key, the response is released
 * only after the sink's stage completed (and becomes a 503 if the sink did not take the event).
 * Used by the handlers; runs on the channel's event loop.
 */
final class ExchangeResponder {

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeResponder.class);
    /** Status recorded when the client went away before the response ended (nginx's convention). */
    static final int CLIENT_CLOSED = 499;
    private static final int MAX_USER_AGENT = 512;

    private final UsageSink sink;
    private final EdgeMetrics metrics;
    private final KeyRateLimiter limiter;
    private final Clock clock;

    ExchangeResponder(UsageSink sink, EdgeMetrics metrics, KeyRateLimiter limiter, Clock clock) {
        this.sink = sink;
        this.metrics = metrics;
        this.limiter = limiter;
        this.clock = clock;
    }

    /** Answers with an error of the catalogue. */
    void reject(ChannelHandlerContext ctx, Exchange ex, ErrorCode code, String message, String param) {
        reject(ctx, ex, code, message, param, null);
    }

    /** Answers with an error; {@code allow} is the {@code Allow} header of a 405, else null. */
    void reject(ChannelHandlerContext ctx, Exchange ex, ErrorCode code, String message, String param, String allow) {
        if (code != ErrorCode.UPSTREAM_ERROR && code != ErrorCode.UPSTREAM_TIMEOUT) {
            metrics.rejected(code);
        }
        ByteBuf body = ErrorRenderer.render(ctx.alloc(), code, message, param);
        FullHttpResponse response = response(code.status(), body);
        if (allow != null) {
            response.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        if (ex.oversized || ex.decodeFailure != null) {
            // The rest of the request was not read: the connection cannot carry another one.
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        respond(ctx, ex, response, message);
    }

    /** Answers 200 with a JSON body the caller built. */
    void ok(ChannelHandlerContext ctx, Exchange ex, ByteBuf json) {
        respond(ctx, ex, response(HttpResponseStatus.OK, json), null);
    }

    private static FullHttpResponse response(HttpResponseStatus status, ByteBuf body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return r;
    }

    /**
     * Writes a response of the edge's own. For a known key, first completes the rate-limit
     * headers (peeking when the limit step was not reached) and waits for the sink.
     */
    void respond(ChannelHandlerContext ctx, Exchange ex, FullHttpResponse response, String errorMessage) {
        if (ex.answered) {
            response.release();
            return;
        }
        ex.answered = true;
        ex.releaseBody();
        if (ex.key == null) {
            write(ctx, ex, response);
            return;
        }
        if (ex.rateLimit == null) {
            CompletableFuture<RateLimitDecision> peek;
            try {
                peek = limiter.peek(ex.key.id(), ex.key.limits());
            } catch (RuntimeException e) {
                peek = CompletableFuture.failedFuture(e);
            }
            if (peek.isDone()) {
                ex.rateLimit = peek.isCompletedExceptionally() ? null : peek.join();
                meterAndWrite(ctx, ex, response, errorMessage);
            } else {
                peek.whenComplete((d, e) -> ctx.executor().execute(() -> {
                    ex.rateLimit = d;
                    meterAndWrite(ctx, ex, response, errorMessage);
                }));
            }
            return;
        }
        meterAndWrite(ctx, ex, response, errorMessage);
    }

    private void meterAndWrite(ChannelHandlerContext ctx, Exchange ex, FullHttpResponse response, String errorMessage) {
        boolean gone = !ctx.channel().isActive();
        int status = gone ? CLIENT_CLOSED : response.status().code();
        UsageEvent event = event(ex, status, gone ? 0 : response.content().readableBytes(), TokenUsage.NONE,
                CostCalculator.ZERO, errorMessage, gone);
        CompletionStage<Void> stage = accept(event);
        CompletableFuture<Void> f = stage.toCompletableFuture();
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
            ByteBuf body = ErrorRenderer.render(ctx.alloc(), ErrorCode.SERVICE_UNAVAILABLE,
                    "The server is temporarily unable to record usage; please retry shortly.", null);
            write(ctx, ex, response(ErrorCode.SERVICE_UNAVAILABLE.status(), body));
            return;
        }
        write(ctx, ex, response);
    }

    private void write(ChannelHandlerContext ctx, Exchange ex, FullHttpResponse response) {
        metrics.requestCompleted(ex.productTag(), response.status().code(), ex.tierTag(),
                System.nanoTime() - ex.arrivalNanos, upstreamNanos(ex));
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        ctx.writeAndFlush(response);
    }

    /**
     * The proxy's exchange ended: meter it, and return the stage the proxy waits on before the
     * last bytes. When the proxy wrote nothing ({@link ProxyOutcome#gatewayError()}), answers with
     * that error instead.
     */
    CompletionStage<Void> proxyCompleted(ChannelHandlerContext ctx, Exchange ex, ProxyOutcome o) {
        ex.backendLatencyMs = o.backendLatencyMs();
        ex.backend = o.backend();
        ex.attempts = o.attempts();
        if (o instanceof ProxyOutcome.Unanswered unanswered) {
            ex.answered = false; // the proxy handed the answer back
            String message = switch (unanswered.error()) {
                case UPSTREAM_TIMEOUT -> "The model backend did not answer in time.";
                case SERVICE_UNAVAILABLE -> "No backend of the model '" + ex.modelName
                        + "' is available right now; please retry shortly.";
                default -> "The model backend could not be reached or broke off.";
            };
            reject(ctx, ex, unanswered.error(), message, null);
            return CompletableFuture.completedFuture(null);
        }
        int status = o.status();
        boolean ok = status >= 200 && status <= 299;
        TokenUsage usage = o.usage();
        if (usage == null) {
            usage = ok && ex.product != null ? ex.product.kind().estimate(ex.requestBytes, o.responseBytes(), ex.n)
                    : TokenUsage.NONE;
        }
        BigDecimal cost = CostCalculator.ZERO;
        if (ok && ex.model != null && ex.product != null) {
            cost = CostCalculator.cost(status, usage, ex.model.pricing(ex.product));
        }
        String error = o.errorMessage();
        if (error == null && status >= 400) {
            error = "upstream status " + status;
        }
        UsageEvent event = event(ex, status, o.responseBytes(), usage, cost, error,
                o instanceof ProxyOutcome.ClientGone);
        metrics.requestCompleted(ex.productTag(), status, ex.tierTag(), System.nanoTime() - ex.arrivalNanos,
                upstreamNanos(ex));
        return accept(event);
    }

    private CompletionStage<Void> accept(UsageEvent event) {
        try {
            return sink.accept(event);
        } catch (RuntimeException e) {
            LOG.error("usage sink refused event {}: {}", event.requestId(), e.toString());
            return CompletableFuture.failedFuture(e);
        }
    }

    private static long upstreamNanos(Exchange ex) {
        return ex.upstreamStartNanos < 0 ? -1 : System.nanoTime() - ex.upstreamStartNanos;
    }

    private UsageEvent event(Exchange ex, int status, long responseBytes, TokenUsage usage, BigDecimal cost,
            String errorMessage, boolean clientAborted) {
        Integer remaining = null;
        java.time.Instant reset = null;
        if (ex.rateLimit instanceof RateLimitDecision.Allowed a) {
            remaining = (int) Math.min(Integer.MAX_VALUE, a.remaining());
            reset = clock.instant().plusNanos(a.resetNanos());
        } else if (ex.rateLimit instanceof RateLimitDecision.Limited l) {
            remaining = 0;
            reset = clock.instant().plusNanos(l.resetNanos());
        }
        String ua = ex.userAgent;
        if (ua != null && ua.length() > MAX_USER_AGENT) {
            ua = ua.substring(0, MAX_USER_AGENT);
        }
        long millis = (System.nanoTime() - ex.arrivalNanos) / 1_000_000;
        return UsageEvent.builder(ex.id, ex.key.userId(), ex.key.id())
                .endpoint(ex.path)
                .method(ex.method.name())
                .statusCode(status)
                .responseTimeMs((int) Math.min(Integer.MAX_VALUE, millis))
                .requestSizeBytes(ex.requestBytes)
                .responseSizeBytes(responseBytes)
                .clientIp(ex.clientText)
                .usage(usage)
                .costUsd(cost)
                .subscriptionTier(ex.key.tier().dbValue())
                .errorMessage(errorMessage)
                .userAgent(ua)
                .rateLimitRemaining(remaining)
                .rateLimitReset(reset)
                .model(ex.modelName)
                .product(ex.product == null ? null : ex.product.name())
                .stream(ex.stream)
                .backendLatencyMs(ex.backendLatencyMs)
                .clientAborted(clientAborted)
                .backend(ex.backend)
                .attempts(ex.attempts)
                .build();
    }

    /** The client went away before the edge answered: meters a known key's request as 499. */
    void abandoned(ChannelHandlerContext ctx, Exchange ex) {
        if (ex.answered) {
            return;
        }
        ex.answered = true;
        ex.releaseBody();
        metrics.requestCompleted(ex.productTag(), CLIENT_CLOSED, ex.tierTag(), System.nanoTime() - ex.arrivalNanos,
                upstreamNanos(ex));
        if (ex.key != null) {
            accept(event(ex, CLIENT_CLOSED, 0, TokenUsage.NONE, CostCalculator.ZERO, "client closed the connection",
                    true));
        }
    }
}
