package ai.dalsi.gateway.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;

/**
 * The edge's request rewrite for streams: a streamed completion only reports its usage when the
 * request sets {@code stream_options.include_usage}, so the gateway sets it when the client did
 * not, tells the proxy ({@link ProxyRequest#clientAskedForUsage()} false), and the proxy drops the
 * extra usage chunk after reading it. Without this, streams would be billed at nothing.
 */
public final class StreamOptions {

    private StreamOptions() {
    }

    /** Whether the request body sets {@code stream_options.include_usage} to true. */
    public static boolean includesUsage(JsonNode body) {
        JsonNode options = body.get("stream_options");
        return options != null && options.path("include_usage").asBoolean(false);
    }

    /**
     * Sets {@code stream_options.include_usage=true} in a parsed request body, keeping any other
     * stream options. Returns whether the client had asked for usage already (the value for
     * {@link ProxyRequest#clientAskedForUsage()}). A non-object {@code stream_options} is replaced.
     */
    public static boolean ensureIncludeUsage(ObjectNode body) {
        if (includesUsage(body)) {
            return true;
        }
        JsonNode options = body.get("stream_options");
        ObjectNode o = options instanceof ObjectNode existing ? existing : body.putObject("stream_options");
        o.put("include_usage", true);
        return false;
    }

    /** A rewritten body and whether the client had asked for usage itself. */
    public record Rewritten(ByteBuf body, boolean clientAskedForUsage) {
    }

    /**
     * {@link #ensureIncludeUsage(ObjectNode)} on raw bytes, for an edge that has not parsed the body
     * into a tree. Takes ownership of {@code body}: returns it unchanged when the client asked for usage
     * already, otherwise releases it and returns a new buffer. Throws {@link IOException} (and releases
     * {@code body}) when it is not a JSON object.
     */
    public static Rewritten ensureIncludeUsage(ObjectMapper mapper, ByteBuf body, ByteBufAllocator alloc) throws IOException {
        ByteBuf out = null;
        try {
            JsonNode tree = mapper.readTree((java.io.InputStream) new ByteBufInputStream(body.duplicate()));
            if (!(tree instanceof ObjectNode object)) {
                throw new IOException("request body is not a JSON object");
            }
            if (ensureIncludeUsage(object)) {
                ByteBuf unchanged = body;
                body = null;
                return new Rewritten(unchanged, true);
            }
            out = alloc.buffer(body.readableBytes() + 40);
            mapper.writeValue((java.io.OutputStream) new ByteBufOutputStream(out), object);
            ByteBuf rewritten = out;
            out = null;
            return new Rewritten(rewritten, false);
        } finally {
            if (body != null) {
                body.release();
            }
            if (out != null) {
                out.release();
            }
        }
    }
}
