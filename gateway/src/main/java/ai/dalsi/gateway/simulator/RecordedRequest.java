package ai.dalsi.gateway.simulator;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * What the simulator saw of one request, so integration tests can assert what a proxy in front of
 * it forwarded: for example that the client's key never arrives and the configured upstream key
 * does, or that a stream was asked for with {@code stream_options.include_usage}.
 *
 * @param method       HTTP method
 * @param uri          request target as received (path and query)
 * @param headers      the request's headers as received; treat as read-only
 * @param model        the body's {@code model}, or null when absent or not a JSON body
 * @param stream       the body's {@code stream}
 * @param includeUsage the body's {@code stream_options.include_usage}
 */
public record RecordedRequest(
        String method, String uri, HttpHeaders headers, String model, boolean stream, boolean includeUsage) {

    /** The first value of a header, or null. */
    public String header(String name) {
        return headers.get(name);
    }
}
