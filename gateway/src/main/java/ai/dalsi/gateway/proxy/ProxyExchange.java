package ai.dalsi.gateway.proxy;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.metering.TokenUsage;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on its way through the proxy, from {@code forward} to the last byte written to the
 * client: chooses backends ({@link BackendSelector}), makes {@link Attempt}s, and once one answers
 * for good hands the response to the {@link ResponseRelay} through the product's {@link UsageTap},
 * within its {@link Deadlines}. Lives on the inbound channel's event loop, which the backend
 * connections share, so its state needs no synchronization.
 *
 * <pre>
 * ATTEMPTING -(headers)-> RELAYING -(backend's end)-> ENDING (outcome reported, last bytes held) -> DONE
 *   |  ^ retry: another backend, before the client saw a byte
 *   \__/\________\_______________\-> DONE (failure, timeout, client gone)
 * </pre>
 *
 * <p>A retry goes to a backend of the model this request has not tried, when the try failed before
 * the response headers (connect or TLS failure, connection closed, no headers in time) or the
 * backend answered 429, 500, 502, 503 or 504; at most {@link ProxyConfig#maxAttempts()} tries,
 * and only while the total deadline leaves time. The last try's answer, whatever it is, is the
 * client's.
 */
final class ProxyExchange implements Attempt.Owner, ChannelFutureListener, Runnable {

    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);

    private enum State { ATTEMPTING, RELAYING, ENDING, DONE }

    private final BackendPool pools;
    private final BackendHealth health;
    private final ProxyConfig config;
    private final JsonFactory json;
    private final Channel inbound;
    private final EventLoop loop;
    private final ProxyRequest request;
    private final ExchangeListener listener;
    private final BackendGroup group;
    private final Deadlines deadlines;
    private final ResponseRelay relay;

    private State state = State.ATTEMPTING;
    /** The request body while another attempt may need it. */
    private ByteBuf body;
    private HttpHeaders upstreamHeaders;
    private boolean sendLength;
    private int turn;
    private long tried;
    private int attempts;
    private Attempt attempt;
    private ErrorCode lastError = ErrorCode.UPSTREAM_ERROR;
    private String lastMessage;
    private long firstSentNanos = -1;
    private int status;
    private UsageTap tap;
    /** Gathers the generated text of a successful answer, or null. */
    private GeneratedTextReader text;
    private boolean reported;

    ProxyExchange(BackendPool pools, BackendHealth health, ProxyConfig config, JsonFactory json, Channel inbound,
            ProxyRequest request, ExchangeListener listener) {
        this.pools = pools;
        this.health = health;
        this.config = config;
        this.json = json;
        this.inbound = inbound;
        this.loop = inbound.eventLoop();
        this.request = request;
        this.listener = listener;
        this.group = request.backends();
        this.body = request.body() == null ? Unpooled.EMPTY_BUFFER : request.body();
        this.deadlines = new Deadlines(loop, loop.ticker(), config, this);
        this.relay = new ResponseRelay(inbound);
    }

    /** Ends at once with {@code error}: the proxy is closed. */
    void reject(ErrorCode error, String message) {
        state = State.DONE;
        releaseAll();
        report(new ProxyOutcome.Unanswered(error, message, -1, null, 0));
    }

    void start() {
        if (!inbound.isActive()) {
            state = State.DONE;
            releaseAll();
            report(new ProxyOutcome.ClientGone(null, 0, null, -1, null, 0));
            return;
        }
        inbound.closeFuture().addListener(this);
        HttpMethod method = request.method();
        sendLength = body.readableBytes() > 0 || HttpMethod.POST.equals(method) || HttpMethod.PUT.equals(method)
                || HttpMethod.PATCH.equals(method);
        upstreamHeaders = ProxyHeaders.forwardable(request.headers(), group.forwardHeaders());
        turn = group.nextTurn();
        deadlines.start();
        nextAttempt();
    }

    // ---- choosing and trying backends

    private void nextAttempt() {
        switch (BackendSelector.choose(group, tried, turn, health)) {
            case BackendSelector.Chosen c -> {
                tried |= 1L << c.index();
                attempts++;
                launch(c);
            }
            case BackendSelector.AllOpen open -> {
                if (attempts == 0) {
                    failUnanswered(ErrorCode.SERVICE_UNAVAILABLE, "every backend of model " + request.model()
                            + " has its circuit open (" + open.open() + " backend(s))");
                } else {
                    failUnanswered(lastError, lastMessage + "; the other backends have their circuit open");
                }
            }
            case BackendSelector.Exhausted e -> failUnanswered(lastError, lastMessage);
        }
    }

    private void launch(BackendSelector.Chosen c) {
        Backend backend = c.backend();
        TargetPool pool = pools.forTarget(loop, backend.target());
        ByteBuf attemptBody = bodyFor(backend);
        HttpHeaders h = ProxyHeaders.forBackend(upstreamHeaders, pool.hostHeader, request.requestId(), pool.authorization,
                attemptBody.readableBytes(), sendLength);
        String uri = pool.pathPrefix.isEmpty() ? request.uri() : pool.pathPrefix + request.uri();
        Attempt a = new Attempt(pool, inbound, backend, c.breaker(), request.method(), uri, h, attemptBody, this,
                request.requestId());
        attempt = a;
        a.start();
    }

    /** The body for one backend: the client's, with the backend's own name for the model when it has one. */
    private ByteBuf bodyFor(Backend backend) {
        ByteBuf copy = body.retainedDuplicate();
        if (backend.upstreamModel() == null || request.model() == null || !copy.isReadable()) {
            return copy;
        }
        try {
            JsonBody.Member model = JsonBody.find(copy, "model");
            if (model == null || model.value() == null || model.value().token() != JsonToken.VALUE_STRING) {
                return copy;
            }
            byte[] name = ("\"" + new String(JsonStringEncoder.getInstance().quoteAsString(backend.upstreamModel())) + "\"")
                    .getBytes(StandardCharsets.UTF_8);
            return JsonBody.splice(copy, model.value().start(), model.value().end(), name, inbound.alloc());
        } catch (IOException e) {
            return copy;
        }
    }

    private boolean canRetry() {
        return attempts < config.maxAttempts() && BackendSelector.untried(group, tried) && deadlines.timeLeft();
    }

    private static boolean retryableStatus(int code) {
        return code == 429 || BackendHealth.isFailureStatus(code);
    }

    @Override
    public void sent(Attempt a) {
        if (a != attempt || state != State.ATTEMPTING) {
            return;
        }
        long now = deadlines.now();
        if (firstSentNanos < 0) {
            firstSentNanos = now;
        }
        deadlines.awaitingHeaders(now);
    }

    @Override
    public void headers(Attempt a, HttpResponse r) {
        if (a != attempt || state != State.ATTEMPTING) {
            return;
        }
        int code = r.status().code();
        if (retryableStatus(code) && canRetry()) {
            lastError = ErrorCode.UPSTREAM_ERROR;
            lastMessage = "backend " + a.backendName() + " answered " + code;
            log.debug("request {}: {}, trying another backend", request.requestId(), lastMessage);
            a.abandon(false);
            deadlines.notAwaitingHeaders();
            nextAttempt();
            return;
        }
        deadlines.headersArrived();
        // No other backend will be tried: the body is not needed any more.
        body.release();
        body = null;
        status = code;
        String contentType = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
        tap = UsageTap.of(request.kind(), code, contentType, request.clientAskedForUsage(), config.usageScanLimitBytes(),
                json);
        if (code >= 200 && code <= 299) {
            text = GeneratedTextReader.of(contentType, request.generated(), config.usageScanLimitBytes());
        }
        boolean hasBody = code != 204 && code != 304 && !HttpMethod.HEAD.equals(request.method());
        ProxyHeaders.prepareResponse(r.headers(), request.responseHeaders(), tap instanceof UsageTap.EventStream, hasBody);
        state = State.RELAYING;
        relay.write(r);
    }

    @Override
    public void content(Attempt a, HttpContent c) {
        if (a != attempt || state != State.RELAYING) {
            c.release();
            return;
        }
        deadlines.activity();
        boolean last = c instanceof LastHttpContent;
        if (text == null && !tap.reads()) {
            tap.content(c, last, relay, null);
        } else {
            // The chunk's bytes are copied out once, for every reader.
            try (ByteScan.Copy bytes = ByteScan.copy(c.content())) {
                if (text != null) {
                    text.feed(bytes.array(), bytes.length());
                    if (last) {
                        text.finish();
                    }
                }
                tap.content(c, last, relay, bytes.array());
            }
        }
        if (last) {
            backendEnded();
        }
    }

    @Override
    public void readComplete(Attempt a) {
        if (a != attempt) {
            return;
        }
        if (state == State.RELAYING) {
            relay.flush();
            relay.requestMore(this::readBackend, () -> state == State.RELAYING, () -> deadlines.awaitingBackend(false));
        } else if (state == State.ATTEMPTING) {
            a.read();
        }
    }

    private void readBackend() {
        deadlines.awaitingBackend(true);
        attempt.read();
    }

    @Override
    public void failed(Attempt a, Attempt.Failure failure, String message) {
        if (a != attempt) {
            return;
        }
        if (state == State.ATTEMPTING) {
            deadlines.notAwaitingHeaders();
            lastError = failure == Attempt.Failure.CONNECT_TIMEOUT ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_ERROR;
            lastMessage = message;
            if (canRetry()) {
                log.debug("request {}: {}, trying another backend", request.requestId(), message);
                nextAttempt();
            } else {
                failUnanswered(lastError, message);
            }
        } else if (state == State.RELAYING) {
            failAfterHeaders(message);
        }
    }

    // ---- the end

    private void backendEnded() {
        state = State.ENDING;
        deadlines.cancel();
        long upstream = firstSentNanos < 0 ? -1 : deadlines.now() - firstSentNanos;
        Attempt a = attempt;
        a.finished();
        ProxyOutcome o = new ProxyOutcome.Completed(status, tap.usage(), relay.responseBytes(), a.latencyMs(), upstream,
                a.backendName(), attempts);
        CompletionStage<Void> stage = report(o);
        if (stage == null) {
            stageCompleted(null, null);
        } else {
            // A stage that is already complete (the journal's usual answer) runs stageCompleted here,
            // which writes the rest and flushes the whole response at once: one write to the socket.
            stage.whenComplete(this::stageCompleted);
        }
        if (state == State.ENDING) {
            // The end waits for the stage; what came before it goes to the client now.
            relay.flush();
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
            log.warn("request {}: usage not confirmed, closing the client connection: {}", request.requestId(),
                    failure.toString());
            releaseAll();
            inbound.flush();
            inbound.close();
            return;
        }
        relay.release();
    }

    /** The client connection closed. */
    @Override
    public void operationComplete(ChannelFuture future) {
        switch (state) {
            case ATTEMPTING, RELAYING -> {
                state = State.DONE;
                deadlines.cancel();
                if (attempt != null) {
                    // Closed, not pooled: the backend sees the close and stops generating.
                    attempt.abandon(false);
                }
                TokenUsage soFar = tap == null ? null : tap.usage();
                releaseAll();
                report(new ProxyOutcome.ClientGone(soFar, relay.responseBytes(), latencyMs(), upstreamNanos(),
                        backendName(), attempts));
            }
            case ENDING -> {
                state = State.DONE;
                releaseAll();
            }
            case DONE -> { }
        }
    }

    /**
     * A deadline may have passed. Runs as a scheduled task, whose exceptions Netty keeps in the task's
     * future without a word: one that escaped would leave the client waiting for ever, so any failure
     * here ends the exchange.
     */
    @Override
    public void run() {
        try {
            deadlinePassed();
        } catch (RuntimeException e) {
            log.warn("request {}: handling a deadline failed, ending the request", request.requestId(), e);
            if (state == State.RELAYING) {
                failAfterHeaders("internal failure: " + e);
            } else if (state == State.ATTEMPTING) {
                if (attempt != null) {
                    attempt.abandon(false);
                }
                failUnanswered(ErrorCode.UPSTREAM_ERROR, "internal failure while handling a deadline");
            }
        }
    }

    private void deadlinePassed() {
        if (state != State.ATTEMPTING && state != State.RELAYING) {
            return;
        }
        Deadlines.Expired expired = deadlines.expired();
        if (expired == null) {
            return;
        }
        switch (expired) {
            case TOTAL -> {
                String why = "no complete response within the total timeout of " + ProxyConfig.format(config.totalTimeout());
                if (state == State.RELAYING) {
                    failAfterHeaders(why);
                } else {
                    if (attempt != null) {
                        attempt.abandon(true);
                    }
                    failUnanswered(ErrorCode.UPSTREAM_TIMEOUT, why);
                }
            }
            case FIRST_BYTE -> {
                attempt.abandon(true);
                deadlines.notAwaitingHeaders();
                lastError = ErrorCode.UPSTREAM_TIMEOUT;
                lastMessage = "no response headers from the backend " + attempt.backendName() + " within "
                        + ProxyConfig.format(config.firstByteTimeout());
                if (canRetry()) {
                    log.debug("request {}: {}, trying another backend", request.requestId(), lastMessage);
                    nextAttempt();
                } else {
                    failUnanswered(lastError, lastMessage);
                }
            }
            case IDLE -> failAfterHeaders("backend sent nothing for " + ProxyConfig.format(config.idleTimeout())
                    + " mid-response");
        }
    }

    /** Nothing was written: the edge answers with {@code error}. */
    private void failUnanswered(ErrorCode error, String message) {
        state = State.DONE;
        deadlines.cancel();
        inbound.closeFuture().removeListener(this);
        releaseAll();
        log.debug("request {}: {} ({})", request.requestId(), error.code(), message);
        report(new ProxyOutcome.Unanswered(error, message, upstreamNanos(), backendName(), attempts));
    }

    /** The response started and cannot become an error any more: the client connection is closed. */
    private void failAfterHeaders(String message) {
        state = State.DONE;
        deadlines.cancel();
        inbound.closeFuture().removeListener(this);
        attempt.abandon(false);
        TokenUsage soFar = tap == null ? null : tap.usage();
        releaseAll();
        log.debug("request {}: response broken after headers ({})", request.requestId(), message);
        report(new ProxyOutcome.Broken(status, soFar, relay.responseBytes(), latencyMs(), upstreamNanos(), backendName(),
                attempts, message));
        relay.flush();
        inbound.close();
    }

    private void releaseAll() {
        if (body != null) {
            body.release();
            body = null;
        }
        if (tap != null) {
            tap.release();
        }
        relay.discard();
    }

    private long upstreamNanos() {
        return firstSentNanos < 0 ? -1 : deadlines.now() - firstSentNanos;
    }

    private Integer latencyMs() {
        return attempt == null ? null : attempt.latencyMs();
    }

    private String backendName() {
        return attempt == null ? null : attempt.backendName();
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
}
