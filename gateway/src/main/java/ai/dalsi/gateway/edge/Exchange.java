package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.catalog.ModelInfo;
import ai.dalsi.gateway.catalog.ProductInfo;
import ai.dalsi.gateway.catalog.RouteMatch;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.UUID;

/**
 * One request on its way through the pipeline: what each step learned about it, for the next
 * steps, the response headers and the usage event. Confined to the connection's event loop.
 */
final class Exchange {

    final UUID id;
    final String idText;
    final long arrivalNanos;
    final HttpMethod method;
    final String uri;
    final String path;
    final HttpHeaders headers;
    final long requestBytes;
    /** Null when the body was too large (then {@link #oversized}) or after it was handed on. */
    ByteBuf body;
    final boolean oversized;
    /** Set when the request could not be decoded as HTTP. */
    final Throwable decodeFailure;

    InetSocketAddress client;
    String clientText;
    String userAgent;
    ApiKey key;
    RouteMatch route;
    ProductInfo product;
    String modelName;
    ModelInfo model;
    boolean stream;
    boolean clientAskedForUsage;
    long n = 1;
    long maxTokens = -1;
    RateLimitDecision rateLimit;
    Integer backendLatencyMs;
    /** The backend that answered (or was tried last), and how many were tried; null and 0 before the proxy. */
    String backend;
    int attempts;
    long upstreamStartNanos = -1;
    /** Whether a response (or the proxy) has taken over: no second response. */
    boolean answered;

    private Exchange(UUID id, long arrivalNanos, HttpMethod method, String uri, HttpHeaders headers, ByteBuf body,
            boolean oversized, Throwable decodeFailure) {
        this.id = id;
        this.idText = id.toString();
        this.arrivalNanos = arrivalNanos;
        this.method = method;
        this.uri = uri;
        int q = uri.indexOf('?');
        this.path = q < 0 ? uri : uri.substring(0, q);
        this.headers = headers;
        this.body = body;
        this.requestBytes = body == null ? contentLength(headers) : body.readableBytes();
        this.oversized = oversized;
        this.decodeFailure = decodeFailure;
    }

    static Exchange of(UUID id, long arrivalNanos, FullHttpRequest request) {
        Throwable failure = request.decoderResult().isFailure() ? request.decoderResult().cause() : null;
        return new Exchange(id, arrivalNanos, request.method(), request.uri(), request.headers(), request.content(),
                false, failure);
    }

    static Exchange of(UUID id, long arrivalNanos, OversizedRequest request) {
        return new Exchange(id, arrivalNanos, request.method(), request.uri(), request.headers(), null, true, null);
    }

    private static long contentLength(HttpHeaders headers) {
        try {
            return Math.max(0, headers.getInt(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH, 0));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Releases the body if the exchange still holds it. */
    void releaseBody() {
        ByteBuf b = body;
        body = null;
        if (b != null) {
            ReferenceCountUtil.release(b);
        }
    }

    /** The product name for metrics: {@code none} when the request reached no product. */
    String productTag() {
        return product == null ? "none" : product.name();
    }

    /** The tier for metrics: {@code none} when no key was known. */
    String tierTag() {
        return key == null ? "none" : key.tier().dbValue();
    }
}
