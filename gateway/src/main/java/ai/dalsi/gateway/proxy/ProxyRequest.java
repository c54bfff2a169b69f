package ai.dalsi.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * One authorized request for the proxy to forward. The proxy owns {@code body} from the moment
 * it is handed over and releases it (also when it fails).
 *
 * @param requestId           the request's id, sent upstream as {@code x-request-id}
 * @param method              HTTP method
 * @param uri                 path and query as the client sent them, e.g. {@code /v1/chat/completions}
 * @param headers             client headers safe to forward (no Authorization, x-api-key or hop-by-hop headers)
 * @param body                request body; for streams already rewritten to ask for usage (see {@code clientAskedForUsage})
 * @param model               the model named in the body, or null (GET /v1/models)
 * @param stream              whether the client asked for a server-sent-event stream
 * @param clientAskedForUsage whether the client itself set {@code stream_options.include_usage}; when false the
 *                            proxy drops the usage-only chunk the gateway asked for, after reading it
 * @param target              the backend for the model
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
        BackendTarget target) {
}
