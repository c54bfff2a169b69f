package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.ProductKind;
import ai.dalsi.metering.tokens.GeneratedText;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Objects;

/**
 * One authorized request for the proxy to forward. The proxy owns {@code body} from the moment it
 * is handed over and releases it (also when it fails). It reads {@code headers} and does not keep
 * them.
 *
 * <p>The upstream request carries only the client headers the model's
 * {@link BackendGroup#forwardHeaders() allowlist} lets through (never credentials, hop-by-hop
 * headers or {@code Accept-Encoding}: the proxy reads usage from bodies, so it asks for them
 * uncompressed), plus {@code Host} of the backend, {@code x-request-id}, the backend's
 * {@code Authorization: Bearer <apiKey>} when it has one, and {@code Content-Length}.
 *
 * @param requestId           the request's id, sent upstream as {@code x-request-id}
 * @param method              HTTP method
 * @param uri                 path and query as the client sent them, e.g. {@code /v1/chat/completions}; the
 *                            backend's path prefix is put in front
 * @param headers             the client's headers
 * @param body                request body; for chat streams already rewritten to ask for usage (see
 *                            {@code clientAskedForUsage} and {@link StreamOptions})
 * @param model               the model named in the body, or null (GET /v1/models); a backend with an upstream
 *                            model name gets the body with that name instead
 * @param stream              whether the client asked for a server-sent-event stream
 * @param clientAskedForUsage whether the client itself set {@code stream_options.include_usage}; when false the
 *                            proxy drops the usage-only chunk the gateway asked for, after reading it
 * @param kind                the product's kind: how the answer's usage is read
 * @param backends            the model's backends ({@link BackendRoutes#groupFor})
 * @param responseHeaders     headers the proxy sets on the response it writes to the client, replacing any the
 *                            backend sent under the same names ({@code x-request-id}, the rate-limit headers);
 *                            or null. Read, never modified; may be shared between requests.
 * @param generated           where the proxy gathers the text a successful answer generates as it passes
 *                            ({@link GeneratedTextReader}), for counting when the backend reports no usage or
 *                            the client leaves first; or null. Owned by the caller, written on the
 *                            exchange's event loop, complete when the outcome is reported.
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
        ProductKind kind,
        BackendGroup backends,
        HttpHeaders responseHeaders,
        GeneratedText generated) {

    /** A request whose generated text nobody reads. */
    public ProxyRequest(String requestId, HttpMethod method, String uri, HttpHeaders headers, ByteBuf body,
            String model, boolean stream, boolean clientAskedForUsage, ProductKind kind, BackendGroup backends,
            HttpHeaders responseHeaders) {
        this(requestId, method, uri, headers, body, model, stream, clientAskedForUsage, kind, backends,
                responseHeaders, null);
    }

    public ProxyRequest {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(backends, "backends");
    }
}
