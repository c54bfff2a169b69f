package ai.dalsi.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The request rewrite for chat and completions streams: such a stream only reports its usage when
 * the request sets {@code stream_options.include_usage}, so the gateway sets it when the client did
 * not, tells the proxy ({@link ProxyRequest#clientAskedForUsage()} false), and the proxy drops the
 * extra usage chunk after reading it. Without this, streams would be billed at nothing.
 *
 * <p>The body is edited as bytes ({@link JsonBody}): only the member that must change is touched,
 * the rest is forwarded as the client sent it, without a parse into a tree and a re-serialisation.
 */
public final class StreamOptions {

    private static final byte[] MEMBER = ",\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MEMBER_ALONE = "\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OBJECT = "{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FIRST = "\"include_usage\":true,".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONLY = "\"include_usage\":true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);

    private StreamOptions() {
    }

    /** A rewritten body and whether the client had asked for usage itself. */
    public record Rewritten(ByteBuf body, boolean clientAskedForUsage) {
    }

    /**
     * Sets {@code stream_options.include_usage=true} in a JSON object body, keeping any other stream
     * options; a {@code stream_options} that is not an object is replaced. Takes ownership of
     * {@code body}: returns it unchanged when the client asked for usage already, otherwise a new
     * buffer made of slices of it and the inserted bytes. Throws {@link IOException} (and releases
     * {@code body}) when it is not a JSON object.
     */
    public static Rewritten ensureIncludeUsage(ByteBuf body, ByteBufAllocator alloc) throws IOException {
        boolean handedOn = false;
        try {
            JsonBody.Member options = JsonBody.find(body, "stream_options");
            if (options == null) {
                throw new IOException("request body is not a JSON object");
            }
            ByteBuf out;
            if (options.value() == null) {
                // No stream_options: add the member before the root's closing brace.
                boolean empty = JsonBody.emptyObject(body, options.objectOpen(), options.objectClose());
                out = JsonBody.insert(body, options.objectClose(), empty ? MEMBER_ALONE : MEMBER, alloc);
            } else if (options.value().token() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                out = JsonBody.splice(body, options.value().start(), options.value().end(), OBJECT, alloc);
            } else {
                JsonBody.Member include = JsonBody.find(body, "stream_options", "include_usage");
                if (include == null) {
                    throw new IOException("request body is not a JSON object");
                }
                if (include.value() == null) {
                    boolean empty = JsonBody.emptyObject(body, include.objectOpen(), include.objectClose());
                    out = JsonBody.insert(body, include.objectOpen() + 1, empty ? ONLY : FIRST, alloc);
                } else if (include.value().token() == com.fasterxml.jackson.core.JsonToken.VALUE_TRUE) {
                    handedOn = true;
                    return new Rewritten(body, true);
                } else {
                    out = JsonBody.splice(body, include.value().start(), include.value().end(), TRUE, alloc);
                }
            }
            handedOn = true;
            return new Rewritten(out, false);
        } catch (IOException | RuntimeException e) {
            throw e instanceof IOException io ? io : new IOException("request body is not JSON", e);
        } finally {
            if (!handedOn && body.refCnt() > 0) {
                body.release();
            }
        }
    }
}
