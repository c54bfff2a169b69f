package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.catalog.ModelInfo;
import ai.dalsi.gateway.catalog.ProductInfo;
import ai.dalsi.gateway.catalog.RouteMatch;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import ai.dalsi.gateway.ratelimit.Reservation;
import ai.dalsi.metering.tokens.GeneratedText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.UUID;

/**
 * One request on its way along the request path: the request's head as it arrived (final fields),
 * its body (arriving in {@link #incoming} until the path asks for it; then owned here until a step
 * hands it on), and what the steps learned, one {@link Learned} value per step, each set once
 * ({@link #learn}). Confined to the connection's event loop.
 */
final class Exchange {

    /** Where the exchange is: running steps, waiting for one, with the proxy, or answered. */
    enum Stage { STEPS, WAITING, PROXYING, FINISHED }

    final UUID id;
    final String idText;
    final long arrivalNanos;
    final HttpMethod method;
    final String uri;
    final String path;
    final HttpHeaders headers;
    /** The body's size: declared until it arrived, then read. */
    long requestBytes;
    /** The body was over the limit and dropped (then {@link #body} is null). */
    boolean oversized;
    /** Set when the request could not be decoded as HTTP. */
    Throwable decodeFailure;
    /** The body still to arrive, read when the path asks for it; null when it came with the head. */
    final IncomingBody incoming;
    /** The socket peer, or null. */
    final InetSocketAddress peer;
    /** The connection it came on (per-connection caches), or null in tests. */
    final ConnectionState connection;
    final ByteBufAllocator alloc;

    private ByteBuf body;
    /** The body as sent to the backend, kept to count the prompt if the answer brings no usage; or null. */
    private ByteBuf prompt;
    /** What the backend generated, gathered by the proxy; or null before the hand-off. */
    private GeneratedText generated;
    private Stage stage = Stage.STEPS;
    private long upstreamStartNanos = -1;

    private Learned.Caller caller;
    private ApiKey key;
    private Learned.Destination destination;
    private Learned.RequestShape shape;
    private ModelInfo model;
    private Learned.Admitted admission;
    private Reservation reservation;
    private Learned.Paused paused;

    private Exchange(UUID id, long arrivalNanos, HttpMethod method, String uri, HttpHeaders headers, ByteBuf body,
            boolean oversized, Throwable decodeFailure, InetSocketAddress peer, ConnectionState connection,
            ByteBufAllocator alloc, IncomingBody incoming) {
        this.id = id;
        this.idText = id.toString();
        this.arrivalNanos = arrivalNanos;
        this.method = method;
        this.uri = uri;
        int q = uri.indexOf('?');
        this.path = q < 0 ? uri : uri.substring(0, q);
        this.headers = headers;
        this.body = body;
        // A body still to come has the length the sequencer read off the head (-1: chunked).
        this.requestBytes = body != null ? body.readableBytes() : Math.max(0, incoming.declared);
        this.oversized = oversized;
        this.decodeFailure = decodeFailure;
        this.peer = peer;
        this.connection = connection;
        this.alloc = alloc;
        this.incoming = incoming;
    }

    static Exchange of(UUID id, long arrivalNanos, FullHttpRequest request, InetSocketAddress peer,
            ConnectionState connection, ByteBufAllocator alloc) {
        Throwable failure = request.decoderResult().isFailure() ? request.decoderResult().cause() : null;
        return new Exchange(id, arrivalNanos, request.method(), request.uri(), request.headers(), request.content(),
                false, failure, peer, connection, alloc, null);
    }

    /** The exchange of a request whose head arrived; its body arrives in {@code incoming}. */
    static Exchange of(UUID id, long arrivalNanos, HttpRequest head, IncomingBody incoming, InetSocketAddress peer,
            ConnectionState connection, ByteBufAllocator alloc) {
        Throwable failure = head.decoderResult().isFailure() ? head.decoderResult().cause() : null;
        return new Exchange(id, arrivalNanos, head.method(), head.uri(), head.headers(), null, false, failure, peer,
                connection, alloc, incoming);
    }

    /** A request with no peer and no connection, for tests. */
    static Exchange of(UUID id, long arrivalNanos, FullHttpRequest request) {
        return of(id, arrivalNanos, request, null, null, ByteBufAllocator.DEFAULT);
    }


    /**
     * Keeps what a step learned. Each kind is set once: a second value of a kind is a bug in the
     * order of the steps, not something to overwrite quietly.
     */
    void learn(Learned value) {
        switch (value) {
            case Learned.Nothing n -> { }
            case Learned.Caller c -> caller = once(caller, c);
            case Learned.Authenticated a -> key = once(key, a.key());
            case Learned.Destination d -> destination = once(destination, d);
            case Learned.RequestShape s -> shape = once(shape, s);
            case Learned.Authorized a -> model = once(model, a.model());
            case Learned.Admitted a -> {
                admission = once(admission, a);
                reservation = a.reservation();
            }
            case Learned.Paused p -> paused = once(paused, p);
        }
    }

    private static <T> T once(T current, T value) {
        if (current != null) {
            throw new IllegalStateException("already learned: " + current);
        }
        return value;
    }

    Learned.Caller caller() {
        return caller;
    }

    /** The client address, or null when unknown (or before the context step). */
    InetSocketAddress client() {
        return caller == null ? null : caller.address();
    }

    /** The key, or null when none was authenticated (yet). */
    ApiKey key() {
        return key;
    }

    RouteMatch route() {
        return destination == null ? null : destination.route();
    }

    /** The product of the endpoint, or null. */
    ProductInfo product() {
        return destination == null ? null : destination.product();
    }

    /** What the body asks for, or null (no product endpoint, or before the body step). */
    Learned.RequestShape shape() {
        return shape;
    }

    /** The model the request names: in the body, or in the path of {@code GET /v1/models/{id}}; or null. */
    String modelName() {
        if (destination != null && destination.route() instanceof RouteMatch.ModelRetrieve r) {
            return r.model();
        }
        return shape == null ? null : shape.model();
    }

    /** The authorized model, or null. */
    ModelInfo model() {
        return model;
    }

    /** The limiter's decision on the request windows, or null when the request never reached the limiter (nor a peek). */
    RateLimitDecision limit() {
        return admission == null ? null : admission.decision();
    }

    /** What the limiter decided (or a peek said), for the headers; or null. */
    Learned.Admitted admission() {
        return admission;
    }

    /**
     * Hands the admission's reservation over for settlement: the first call gets it, later ones
     * null, so an exchange settles once whichever way it ends.
     */
    Reservation takeReservation() {
        Reservation r = reservation;
        reservation = null;
        return r;
    }

    /** Set when the request was refused for maintenance (its {@code retry-after}), or null. */
    Learned.Paused paused() {
        return paused;
    }

    boolean stream() {
        return shape != null && shape.stream();
    }

    /** The body, or null when it was too large or has been handed on. */
    ByteBuf body() {
        return body;
    }

    /** The body arrived in full: the exchange owns it now. */
    void attachBody(ByteBuf b) {
        body = b;
        requestBytes = b.readableBytes();
    }

    /** The body is over the limit: it is dropped and the request ends in 413 (and its connection closes). */
    void markOversized() {
        oversized = true;
    }

    /** The body could not be decoded: the request ends in 400 and its connection closes. */
    void failedDecoding(Throwable cause) {
        decodeFailure = cause;
    }

    /** Hands the body on: the caller owns it now. */
    ByteBuf takeBody() {
        ByteBuf b = body;
        body = null;
        return b;
    }

    /** Replaces the body (a rewrite that took ownership of the old one). */
    void replaceBody(ByteBuf b) {
        body = b;
    }

    /**
     * Hands the body to the proxy, keeping a view of it (no copy) so that the end of the exchange can
     * count the prompt when the answer brings no usage; and starts gathering what the backend
     * generates.
     */
    ByteBuf handOffBody() {
        ByteBuf b = takeBody();
        releasePrompt();
        prompt = b.retainedDuplicate();
        generated = new GeneratedText();
        return b;
    }

    /** The body as it went to the backend, or null (not handed off, or already released). */
    ByteBuf prompt() {
        return prompt;
    }

    /** What the backend generated as far as the proxy saw it, or null before the hand-off. */
    GeneratedText generated() {
        return generated;
    }

    /** Releases the view of the prompt, if any. */
    void releasePrompt() {
        ByteBuf b = prompt;
        prompt = null;
        if (b != null) {
            ReferenceCountUtil.release(b);
        }
    }

    /** Releases the body if the exchange still holds it. */
    void releaseBody() {
        ByteBuf b = takeBody();
        if (b != null) {
            ReferenceCountUtil.release(b);
        }
    }

    Stage stage() {
        return stage;
    }

    void waiting(boolean v) {
        if (stage == Stage.STEPS || stage == Stage.WAITING) {
            stage = v ? Stage.WAITING : Stage.STEPS;
        }
    }

    /** The proxy took the request over; the upstream time starts now. */
    void proxying(long nanos) {
        stage = Stage.PROXYING;
        upstreamStartNanos = nanos;
    }

    /** Marks the exchange answered; false when it was already (the caller must not answer twice). */
    boolean finish() {
        if (stage == Stage.FINISHED) {
            return false;
        }
        stage = Stage.FINISHED;
        return true;
    }

    boolean finished() {
        return stage == Stage.FINISHED;
    }

    /** Time since the request was handed to the proxy, or -1 if it never was. */
    long upstreamNanos(long now) {
        return upstreamStartNanos < 0 ? -1 : now - upstreamStartNanos;
    }

    /** The product name for metrics: {@code none} when the request reached no product. */
    String productTag() {
        ProductInfo p = product();
        return p == null ? "none" : p.name();
    }

    /** The tier for metrics: {@code none} when no key was known (the key's own tier; rows record the request's). */
    String tierTag() {
        return key == null ? "none" : key.tier().dbValue();
    }
}
