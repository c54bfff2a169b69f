package ai.dalsi.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * One authorized request for the proxy to forward. The proxy owns {@code body} from the moment
 * it is handed over and releases it (also when it fails). It also owns {@code headers}: it turns
 * that very object into the upstream request's headers (no copy), so the edge must not use it
 * afterwards.
 *
 * <p>What the proxy does to {@code headers}, whatever the edge already did: removes
 * {@code Authorization}, {@code x-api-key}, {@code Proxy-Authorization}, hop-by-hop headers (and
 * those named in {@code Connection}), {@code Expect}, {@code Host}, {@code Content-Length} and
 * {@code Accept-Encoding} (the proxy reads usage from the body, so it asks the backend for an
 * uncompressed one); then sets {@code Host} to the backend's, {@code x-request-id}, the target's
 * {@code Authorization: Bearer <apiKey>} when it has one, and {@code Content-Length}.
 *
 * @param requestId           the request's id, sent upstream as {@code x-request-id}
 * @param method              HTTP method
 * @param uri                 path and query as the client sent them, e.g. {@code /v1/chat/completions}; the
 *                            target's path prefix is put in front
 * @param headers             client headers to forward (the edge should already have removed Authorization,
 *                            x-api-key and hop-by-hop headers; the proxy removes them again)
 * @param body                request body; for streams already rewritten to ask for usage (see
 *                            {@code clientAskedForUsage} and {@link StreamOptions})
 * @param model               the model named in the body, or null (GET /v1/models)
 * @param stream              whether the client asked for a server-sent-event stream
 * @param clientAskedForUsage whether the client itself set {@code stream_options.include_usage}; when false the
 *                            proxy drops the usage-only chunk the gateway asked for, after reading it
 * @param target              the backend for the model ({@link BackendRoutes#targetFor})
 * @param responseHeaders     headers the proxy sets on the response it writes to the client, replacing any the
 *                            backend sent under the same names ({@code x-request-id}, the rate-limit headers);
 *                            or null. Read, never modified; may be shared between requests.
 */
public record ProxyRequest(
        String requestId,
        HttpMethod method,
        String uri,
        HttpHeaders headers,
        ByteBuf body,
        String model,
        boolean stream,
        boolean clientAskedForUsage,
        BackendTarget target,
        HttpHeaders responseHeaders) {

    /** A request whose response gets no extra headers. */
    public ProxyRequest(String requestId, HttpMethod method, String uri, HttpHeaders headers, ByteBuf body,
                        String model, boolean stream, boolean clientAskedForUsage, BackendTarget target) {
        this(requestId, method, uri, headers, body, model, stream, clientAskedForUsage, target, null);
    }
}
