package ai.dalsi.gateway.error;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Renders every error the gateway makes as OpenAI's error JSON:
 * {@code {"error":{"message":"...","type":"...","param":null,"code":"..."}}}, with the type and
 * code of its {@link ErrorCode}. The one place that shape is written.
 */
public final class ErrorRenderer {

    private static final byte[] OPEN = bytes("{\"error\":{\"message\":\"");
    private static final byte[] TYPE = bytes("\",\"type\":\"");
    private static final byte[] PARAM = bytes("\",\"param\":");
    private static final byte[] NULL = bytes("null");
    private static final byte[] CODE = bytes(",\"code\":\"");
    private static final byte[] CLOSE = bytes("\"}}");

    private ErrorRenderer() {
    }

    /** The JSON body, in a new buffer from {@code alloc} that the caller owns. */
    public static ByteBuf render(ByteBufAllocator alloc, ErrorCode code, String message, String param) {
        byte[] m = JsonStringEncoder.getInstance().quoteAsUTF8(message == null ? "" : message);
        byte[] p = param == null ? null : JsonStringEncoder.getInstance().quoteAsUTF8(param);
        ByteBuf buf = alloc.buffer(m.length + (p == null ? 4 : p.length + 2) + 96);
        buf.writeBytes(OPEN).writeBytes(m)
                .writeBytes(TYPE).writeCharSequence(code.type(), StandardCharsets.US_ASCII);
        buf.writeBytes(PARAM);
        if (p == null) {
            buf.writeBytes(NULL);
        } else {
            buf.writeByte('"').writeBytes(p).writeByte('"');
        }
        buf.writeBytes(CODE).writeCharSequence(code.code(), StandardCharsets.US_ASCII);
        buf.writeBytes(CLOSE);
        return buf;
    }

    /** The JSON body as a string, for logs and tests. */
    public static String renderString(ErrorCode code, String message, String param) {
        ByteBuf buf = render(io.netty.buffer.Unpooled.buffer().alloc(), code, message, param);
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
