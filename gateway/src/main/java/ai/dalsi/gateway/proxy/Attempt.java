package ai.dalsi.gateway.proxy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One try of a request on one backend: takes a pooled connection or opens one (with its TLS
 * handshake), sends the request, and hands the response to its {@link Owner}, which decides whether
 * to relay it or to try another backend. Reports the backend's health to its circuit breaker once:
 * at the response headers (a 500, 502, 503 or 504 is a failure, a 429 neither, anything else a
 * success) or when the try fails before them.
 *
 * <p>A request whose write failed on a pooled connection the backend had closed meanwhile is sent
 * once more on a new connection to the same backend: the backend cannot have acted on a request it
 * did not receive whole. A request that was written is never sent to the same backend again.
 *
 * <p>Confined to the inbound channel's event loop, which the backend connection shares.
 */
final class Attempt implements BackendChannelHandler.User {

    private static final Logger log = LoggerFactory.getLogger(Attempt.class);

    /** Why a try failed, as far as the choice of the next step needs it. */
    enum Failure {
        /** The connection could not be made (refused, unreachable, no such host). */
        CONNECT,
        /** The connection was not made in time. */
        CONNECT_TIMEOUT,
        /** The TLS handshake failed (untrusted certificate, wrong host name, no common protocol). */
        TLS,
        /** The request could not be written. */
        SEND,
        /** The backend closed or reset the connection, or sent something that is not HTTP, before its headers. */
        NO_RESPONSE,
        /** The response broke after its headers. */
        BROKEN
    }

    /** Who drives the attempt: the exchange. Called on the event loop. */
    interface Owner {
        /** The request went out (its first-byte deadline starts). */
        void sent(Attempt attempt);

        /** The response headers (informational responses are skipped). */
        void headers(Attempt attempt, HttpResponse response);

        /** Body content after the headers; ownership passes. */
        void content(Attempt attempt, HttpContent content);

        /** The end of a batch of reads. */
        void readComplete(Attempt attempt);

        /** The try failed; the connection is already closed. */
        void failed(Attempt attempt, Failure failure, String message);
    }

    private enum State { CONNECTING, AWAITING_HEADERS, RESPONDING, DONE }

    private final TargetPool pool;
    private final Channel inbound;
    private final Backend backend;
    private final CircuitBreaker breaker;
    private final HttpMethod method;
    private final String uri;
    private final HttpHeaders headers;
    private final Owner owner;
    private final Ticker ticker;
    private final String requestId;

    private State state = State.CONNECTING;
    /** The request body while it may still be needed (a resend on a new connection). */
    private ByteBuf body;
    private BackendChannelHandler connection;
    private ChannelFuture connectFuture;
    private boolean reusedConnection;
    private boolean resent;
    private boolean requestSent;
    private boolean skippingInformational;
    private boolean healthReported;
    private final long startNanos;
    private long sentNanos = -1;
    private long headersNanos = -1;
    private boolean keepAlive;

    /** Takes ownership of {@code body}; {@code headers} are the upstream request's, ready to send. */
    Attempt(TargetPool pool, Channel inbound, Backend backend, CircuitBreaker breaker, HttpMethod method, String uri,
            HttpHeaders headers, ByteBuf body, Owner owner, String requestId) {
        this.pool = pool;
        this.inbound = inbound;
        this.backend = backend;
        this.breaker = breaker;
        this.method = method;
        this.uri = uri;
        this.headers = headers;
        this.body = body;
        this.owner = owner;
        this.requestId = requestId;
        this.ticker = inbound.eventLoop().ticker();
        this.startNanos = ticker.nanoTime();
    }

    Backend backend() {
        return backend;
    }

    /** How usage rows, metrics and logs name this attempt's backend ({@link BackendTarget#name()}). */
    String backendName() {
        return pool.name;
    }

    /** When the request went out ({@link Ticker} time), or -1. */
    long sentNanos() {
        return sentNanos;
    }

    /** From sending the request to its response headers, in ms, or null. */
    Integer latencyMs() {
        if (headersNanos < 0 || sentNanos < 0) {
            return null;
        }
        return (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(headersNanos - sentNanos));
    }

    void start() {
        BackendChannelHandler idle = pool.pollIdle();
        if (idle != null) {
            send(idle, true);
        } else {
            connect();
        }
    }

    private void connect() {
        state = State.CONNECTING;
        ChannelFuture f;
        try {
            f = pool.connect(inbound);
        } catch (RuntimeException e) {
            fail(Failure.CONNECT, "could not connect to the backend " + pool.name + ": " + describe(e));
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
            // The attempt ended while connecting: an unused fresh connection is worth keeping.
            if (f.isSuccess()) {
                pool.release(TargetPool.handlerOf(f.channel()), true);
            }
            return;
        }
        connectFuture = null;
        String name = pool.name;
        if (f.isSuccess()) {
            send(TargetPool.handlerOf(f.channel()), false);
        } else if (f.cause() instanceof ConnectTimeoutException) {
            fail(Failure.CONNECT_TIMEOUT, "backend " + name + ": connect timeout");
        } else if (f.cause() instanceof SSLException e) {
            // Worth a line of its own: a certificate problem is a configuration problem, not a blip.
            log.warn("backend {}: TLS handshake failed, request {} not sent there: {}", name, requestId, describe(e));
            fail(Failure.TLS, "backend " + name + ": TLS handshake failed: " + describe(e));
        } else {
            fail(Failure.CONNECT, "could not connect to the backend " + name + ": " + describe(f.cause()));
        }
    }

    private void send(BackendChannelHandler handler, boolean reused) {
        connection = handler;
        handler.user = this;
        reusedConnection = reused;
        state = State.AWAITING_HEADERS;
        sentNanos = ticker.nanoTime();
        ByteBuf content;
        if (reused && !resent) {
            // Keep the body: a pooled connection the backend closed meanwhile gets one resend if the write fails.
            content = body.retainedDuplicate();
        } else {
            content = body;
            body = null;
        }
        ChannelFuture w = handler.channel.writeAndFlush(new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, method, uri, content, headers, EmptyHttpHeaders.INSTANCE));
        if (w.isDone()) {
            requestWritten(w);
        } else {
            w.addListener((ChannelFutureListener) this::requestWritten);
        }
        if (state == State.AWAITING_HEADERS && connection == handler) {
            handler.channel.read();
            owner.sent(this);
        }
    }

    private void requestWritten(ChannelFuture w) {
        if (w.isSuccess()) {
            requestSent = true;
            releaseBody();
            return;
        }
        if (state != State.AWAITING_HEADERS || connection == null || connection.channel != w.channel()) {
            return;
        }
        if (reusedConnection && !resent && body != null) {
            resent = true;
            log.debug("request {}: pooled connection to {} was closed, sending on a new one", requestId,
                    pool.name);
            closeConnection();
            connect();
            return;
        }
        fail(Failure.SEND, "could not send the request to the backend " + pool.name + ": "
                + describe(w.cause()));
    }

    /** Asks the backend connection for more of the response (the owner's backpressure decides when). */
    void read() {
        if (connection != null) {
            connection.channel.read();
        }
    }

    /** Whether the request went out whole. */
    boolean requestSent() {
        return requestSent;
    }

    // ---- what the backend sends

    @Override
    public void backendRead(Object msg) {
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
            if (state == State.RESPONDING) {
                fail(Failure.BROKEN, "backend sent a second response");
            }
            return;
        }
        if (r.decoderResult().isFailure()) {
            ReferenceCountUtil.release(r);
            fail(Failure.NO_RESPONSE, "invalid response from the backend " + pool.name + ": "
                    + describe(r.decoderResult().cause()));
            return;
        }
        int code = r.status().code();
        if (code >= 100 && code < 200) {
            skippingInformational = true;
            ReferenceCountUtil.release(r);
            return;
        }
        headersNanos = ticker.nanoTime();
        state = State.RESPONDING;
        keepAlive = io.netty.handler.codec.http.HttpUtil.isKeepAlive(r);
        reportHealth(code);
        owner.headers(this, r);
    }

    private void onContent(HttpContent c) {
        if (state != State.RESPONDING) {
            if (skippingInformational && c instanceof io.netty.handler.codec.http.LastHttpContent) {
                skippingInformational = false;
            }
            c.release();
            return;
        }
        if (c.decoderResult().isFailure()) {
            String why = describe(c.decoderResult().cause());
            c.release();
            fail(Failure.BROKEN, "invalid response body from the backend: " + why);
            return;
        }
        owner.content(this, c);
    }

    @Override
    public void backendReadComplete() {
        if (state == State.AWAITING_HEADERS || state == State.RESPONDING) {
            owner.readComplete(this);
        }
    }

    @Override
    public void backendInactive() {
        if (state == State.AWAITING_HEADERS) {
            if (!requestSent) {
                // The request write fails with the connection; requestWritten decides (resend or fail).
                return;
            }
            fail(Failure.NO_RESPONSE, "backend " + pool.name + " closed the connection before responding");
        } else if (state == State.RESPONDING) {
            fail(Failure.BROKEN, "backend closed the connection mid-response");
        }
    }

    @Override
    public void backendFailed(Throwable cause) {
        if (state == State.AWAITING_HEADERS) {
            if (!requestSent) {
                return;
            }
            fail(Failure.NO_RESPONSE, "backend " + pool.name + " connection failed: " + describe(cause));
        } else if (state == State.RESPONDING) {
            fail(Failure.BROKEN, "backend connection failed mid-response: " + describe(cause));
        }
    }

    // ---- the end

    /** The response ended: the connection goes back to the pool when it can carry another request. */
    void finished() {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        BackendChannelHandler h = connection;
        connection = null;
        if (h != null) {
            pool.release(h, keepAlive && requestSent);
        }
        releaseBody();
    }

    /**
     * Gives up on this try: closes the connection (a backend that is generating sees the close and
     * stops). {@code backendsFault} says whether it counts against the backend's health (no headers
     * in time) or not (the client went away, the request's own deadline passed).
     */
    void abandon(boolean backendsFault) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        if (!healthReported) {
            healthReported = true;
            if (backendsFault) {
                breaker.onError(elapsed(), TimeUnit.NANOSECONDS, TimeoutOrAbandoned.INSTANCE);
            } else {
                breaker.releasePermission();
            }
        }
        closeConnection();
        connectFuture = null;
        releaseBody();
    }

    private void fail(Failure failure, String message) {
        boolean before = state != State.RESPONDING;
        state = State.DONE;
        if (!healthReported && before) {
            healthReported = true;
            breaker.onError(elapsed(), TimeUnit.NANOSECONDS, new BackendFailure(message));
        }
        closeConnection();
        releaseBody();
        owner.failed(this, failure, message);
    }

    private void reportHealth(int status) {
        if (healthReported) {
            return;
        }
        healthReported = true;
        if (BackendHealth.isFailureStatus(status)) {
            breaker.onError(elapsed(), TimeUnit.NANOSECONDS, new BackendFailure("status " + status));
        } else if (status == 429) {
            breaker.releasePermission();
        } else {
            breaker.onSuccess(elapsed(), TimeUnit.NANOSECONDS);
        }
    }

    private long elapsed() {
        return ticker.nanoTime() - startNanos;
    }

    private void closeConnection() {
        BackendChannelHandler h = connection;
        if (h != null) {
            connection = null;
            h.user = null;
            h.channel.close();
        }
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + m;
    }

    /** What a breaker records for a failed try: no stack trace, it is not an exception anyone throws. */
    static final class BackendFailure extends Exception {
        BackendFailure(String message) {
            super(message, null, false, false);
        }
    }

    /** A try given up on because the backend sent no headers in time. */
    static final class TimeoutOrAbandoned extends Exception {
        static final TimeoutOrAbandoned INSTANCE = new TimeoutOrAbandoned();

        private TimeoutOrAbandoned() {
            super("no response headers in time", null, false, false);
        }
    }
}
