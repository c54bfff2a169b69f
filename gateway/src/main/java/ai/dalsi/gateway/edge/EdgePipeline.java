package ai.dalsi.gateway.edge;

/**
 * Names of the edge's channel handlers, in pipeline order. The handlers are transport: read
 * deadlines and the idle timeout, decoding, keep-alive, sequencing and the headers every response
 * carries; the gateway's own steps run inside the last one ({@link #REQUEST_PATH}), in the order
 * {@link RequestPath} lists. Inbound messages flow down this list; responses flow back up it.
 *
 * <pre>
 *  {@value #DEADLINES}       total deadlines for a request's head and body (408), not restarted per byte,
 *                            and the keep-alive idle timeout (closes a connection with nothing in flight)
 *  {@value #HTTP}            HTTP/1.1 codec, request line and header size limits
 *  {@value #KEEP_ALIVE}      keep-alive bookkeeping: closes after a response that ends the connection
 *  {@value #SEQUENCE}        one request at a time per connection (pipelining-safe), request id, idle close;
 *                            an exchange per head, its body fed in only once the path asks for it
 *  {@value #STAMP}           x-request-id and x-ratelimit-* on every response
 *  {@value #REQUEST_PATH}    the steps of the request path, the hand-off to the proxy, the end of each exchange;
 *                            last resort for unexpected failures (a 500 without a stack trace)
 * </pre>
 */
public final class EdgePipeline {

    public static final String HTTP = "http";
    public static final String KEEP_ALIVE = "keep-alive";
    public static final String DEADLINES = "deadlines";
    public static final String SEQUENCE = "sequence";
    public static final String STAMP = "stamp";
    public static final String REQUEST_PATH = "request-path";

    private EdgePipeline() {
    }
}
