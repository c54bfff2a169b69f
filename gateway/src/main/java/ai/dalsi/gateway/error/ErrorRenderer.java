package ai.dalsi.gateway.error;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

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
    private static final byte[][] TYPES = new byte[ErrorCode.values().length][];
    private static final byte[][] CODES = new byte[ErrorCode.values().length][];

    static {
        for (ErrorCode c : ErrorCode.values()) {
            TYPES[c.ordinal()] = bytes(c.type());
            CODES[c.ordinal()] = bytes(c.code());
        }
    }

    /**
     * The last body each thread rendered: a flood of one refusal (a bad key's 401) repeats its words,
     * and a repeat costs a comparison instead of quoting, allocating and copying.
     */
    private static final FastThreadLocal<Rendered> LAST = new FastThreadLocal<>();

    private record Rendered(ErrorCode code, String message, String param, byte[] json) {
        boolean is(ErrorCode c, String m, String p) {
            return code == c && message.equals(m) && Objects.equals(param, p);
        }
    }

    private ErrorRenderer() {
    }

    /** The JSON body, in a new buffer the caller owns (it wraps bytes that are never written to). */
    public static ByteBuf render(ErrorCode code, String message, String param) {
        String m = message == null ? "" : message;
        Rendered last = LAST.get();
        if (last == null || !last.is(code, m, param)) {
            last = new Rendered(code, m, param, json(code, m, param));
            LAST.set(last);
        }
        return Unpooled.wrappedBuffer(last.json());
    }

    private static byte[] json(ErrorCode code, String message, String param) {
        byte[] m = JsonStringEncoder.getInstance().quoteAsUTF8(message);
        byte[] p = param == null ? NULL : quoted(JsonStringEncoder.getInstance().quoteAsUTF8(param));
        byte[] type = TYPES[code.ordinal()];
        byte[] c = CODES[code.ordinal()];
        byte[] json = new byte[OPEN.length + m.length + TYPE.length + type.length + PARAM.length + p.length
                + CODE.length + c.length + CLOSE.length];
        int at = put(json, 0, OPEN);
        at = put(json, at, m);
        at = put(json, at, TYPE);
        at = put(json, at, type);
        at = put(json, at, PARAM);
        at = put(json, at, p);
        at = put(json, at, CODE);
        at = put(json, at, c);
        put(json, at, CLOSE);
        return json;
    }

    private static int put(byte[] to, int at, byte[] part) {
        System.arraycopy(part, 0, to, at, part.length);
        return at + part.length;
    }

    private static byte[] quoted(byte[] inner) {
        byte[] q = new byte[inner.length + 2];
        q[0] = '"';
        System.arraycopy(inner, 0, q, 1, inner.length);
        q[q.length - 1] = '"';
        return q;
    }

    /** The JSON body as a string, for logs and tests. */
    public static String renderString(ErrorCode code, String message, String param) {
        ByteBuf buf = render(code, message, param);
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
