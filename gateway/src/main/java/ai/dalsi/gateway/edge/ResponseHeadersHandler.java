package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.ratelimit.OpenAiDuration;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import ai.dalsi.gateway.ratelimit.TokenStatus;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;

/**
 * Adds the headers every response carries, whoever wrote it (the edge or the proxy):
 * {@code x-request-id}, and for a known key the rate-limit headers of its tightest window
 * ({@code x-ratelimit-limit-requests}, {@code -remaining-}, {@code -reset-}; on 429 also
 * {@code retry-after} in seconds and {@code retry-after-ms}), and when the key has token limits
 * those of its tightest token window ({@code x-ratelimit-limit-tokens}, {@code -remaining-},
 * {@code -reset-}); a token refusal adds its {@code retry-after}, a budget refusal
 * {@code x-should-retry: false}. Values set here replace any the backend sent.
 */
final class ResponseHeadersHandler extends ChannelOutboundHandlerAdapter {

    static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
    static final AsciiString LIMIT = AsciiString.cached("x-ratelimit-limit-requests");
    static final AsciiString REMAINING = AsciiString.cached("x-ratelimit-remaining-requests");
    static final AsciiString RESET = AsciiString.cached("x-ratelimit-reset-requests");
    static final AsciiString RETRY_AFTER_MS = AsciiString.cached("retry-after-ms");
    static final AsciiString LIMIT_TOKENS = AsciiString.cached("x-ratelimit-limit-tokens");
    static final AsciiString REMAINING_TOKENS = AsciiString.cached("x-ratelimit-remaining-tokens");
    static final AsciiString RESET_TOKENS = AsciiString.cached("x-ratelimit-reset-tokens");
    /** Read by OpenAI's SDKs before anything else: {@code false} stops their retries. */
    static final AsciiString SHOULD_RETRY = AsciiString.cached("x-should-retry");
    private static final AsciiString FALSE = AsciiString.cached("false");
    private static final AsciiString ZERO = AsciiString.cached("0");

    private final ConnectionState state;
    private final EdgeLifecycle lifecycle;

    ResponseHeadersHandler(ConnectionState state, EdgeLifecycle lifecycle) {
        this.state = state;
        this.lifecycle = lifecycle;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        Exchange ex = state.current;
        if (ex != null && msg instanceof HttpResponse response) {
            HttpHeaders h = response.headers();
            h.set(REQUEST_ID, ex.idText);
            Learned.Admitted admission = ex.admission();
            RateLimitDecision d = admission == null ? null : admission.decision();
            if (d instanceof RateLimitDecision.Allowed a) {
                h.set(LIMIT, Long.toString(a.limit()));
                h.set(REMAINING, Long.toString(a.remaining()));
                h.set(RESET, OpenAiDuration.format(a.resetNanos()));
            } else if (d instanceof RateLimitDecision.Limited l) {
                h.set(LIMIT, Long.toString(l.limit()));
                h.set(REMAINING, ZERO);
                h.set(RESET, OpenAiDuration.format(l.resetNanos()));
                h.set(HttpHeaderNames.RETRY_AFTER, Long.toString(OpenAiDuration.ceilSeconds(l.retryAfterNanos())));
                h.set(RETRY_AFTER_MS, Long.toString(OpenAiDuration.ceilMillis(l.retryAfterNanos())));
            }
            if (admission != null) {
                tokenHeaders(h, admission);
            }
            if (ex.paused() != null) {
                h.set(HttpHeaderNames.RETRY_AFTER, Long.toString(ex.paused().retryAfterSeconds()));
            }
            if (lifecycle.draining()) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
        }
        ctx.write(msg, promise);
    }

    private static void tokenHeaders(HttpHeaders h, Learned.Admitted admission) {
        TokenStatus t = admission.tokens();
        if (t != null) {
            h.set(LIMIT_TOKENS, Long.toString(t.limit()));
            h.set(REMAINING_TOKENS, Long.toString(Math.max(0, t.remaining())));
            h.set(RESET_TOKENS, OpenAiDuration.format(t.resetNanos()));
        }
        if (admission.retryAfterNanos() >= 0) {
            h.set(HttpHeaderNames.RETRY_AFTER, Long.toString(OpenAiDuration.ceilSeconds(admission.retryAfterNanos())));
            h.set(RETRY_AFTER_MS, Long.toString(OpenAiDuration.ceilMillis(admission.retryAfterNanos())));
        }
        if (admission.noRetry()) {
            h.set(SHOULD_RETRY, FALSE);
        }
    }
}
