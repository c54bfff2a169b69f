package ai.dalsi.gateway.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;

/**
 * Edits of a JSON request body as bytes: find where one member's value lies (one streaming pass,
 * nothing else decoded) and splice a replacement in, as a composite of retained slices of the
 * original and the new bytes. The rest of the body is never copied or re-serialised, so whatever
 * the client sent (key order, number formats, unknown members) reaches the backend as it was.
 */
final class JsonBody {

    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonBody() {
    }

    /**
     * Where a member's value lies, relative to the buffer's reader index.
     *
     * @param start      first byte of the value
     * @param end        one past its last byte
     * @param token      its first token
     */
    record Span(int start, int end, JsonToken token) {
    }

    /** A member of an object: its value, and where the object itself opens and closes. */
    record Member(Span value, int objectOpen, int objectClose) {
    }

    /**
     * Finds the member {@code path[0]} of the root object, then {@code path[1]} inside it (when it is an
     * object), and so on. Returns the innermost member found: its value's span (null when the last name is
     * absent) and the braces of the object that should hold it. Null when the body is not a JSON object,
     * or a name on the way is absent or not an object.
     */
    static Member find(ByteBuf body, String... path) throws IOException {
        try (JsonParser p = parser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            int open = offset(p);
            for (int level = 0; level < path.length; level++) {
                Span found = null;
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken v = p.nextToken();
                    int start = offset(p);
                    if (found == null && name.equals(path[level])) {
                        if (level < path.length - 1 && v == JsonToken.START_OBJECT) {
                            found = new Span(start, -1, v);
                            break;
                        }
                        p.skipChildren();
                        found = new Span(start, end(body, p, start, v), v);
                    } else {
                        p.skipChildren();
                    }
                }
                if (level == path.length - 1) {
                    // The loop read to the object's end: the parser is at its closing brace.
                    return t == JsonToken.END_OBJECT ? new Member(found, open, offset(p)) : null;
                }
                if (found == null || found.end() != -1) {
                    return null;
                }
                open = found.start();
            }
            return null;
        }
    }

    /** The body with {@code [start, end)} replaced by {@code bytes}; releases {@code body} (the result keeps slices of it). */
    static ByteBuf splice(ByteBuf body, int start, int end, byte[] bytes, ByteBufAllocator alloc) {
        int base = body.readerIndex();
        CompositeByteBuf out = alloc.compositeBuffer(3);
        if (start > 0) {
            out.addComponent(true, body.retainedSlice(base, start));
        }
        out.addComponent(true, Unpooled.wrappedBuffer(bytes));
        if (base + end < body.writerIndex()) {
            out.addComponent(true, body.retainedSlice(base + end, body.writerIndex() - base - end));
        }
        body.release();
        return out;
    }

    /** The body with {@code bytes} inserted at {@code at}; releases {@code body}. */
    static ByteBuf insert(ByteBuf body, int at, byte[] bytes, ByteBufAllocator alloc) {
        return splice(body, at, at, bytes, alloc);
    }

    /** Whether the object whose braces are at these offsets has no member. */
    static boolean emptyObject(ByteBuf body, int open, int close) {
        int base = body.readerIndex();
        for (int i = open + 1; i < close; i++) {
            byte b = body.getByte(base + i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static JsonParser parser(ByteBuf body) throws IOException {
        if (body.hasArray()) {
            return FACTORY.createParser(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes());
        }
        return FACTORY.createParser((InputStream) new ByteBufInputStream(body.duplicate(), false));
    }

    private static int offset(JsonParser p) {
        return (int) p.currentTokenLocation().getByteOffset();
    }

    /** One past the last byte of the value that started at {@code start}; the parser is at its last token. */
    private static int end(ByteBuf body, JsonParser p, int start, JsonToken first) {
        return switch (first) {
            case START_OBJECT, START_ARRAY -> offset(p) + 1;
            case VALUE_TRUE, VALUE_NULL -> start + 4;
            case VALUE_FALSE -> start + 5;
            case VALUE_STRING -> stringEnd(body, start);
            default -> numberEnd(body, start);
        };
    }

    private static int stringEnd(ByteBuf body, int start) {
        int base = body.readerIndex();
        int n = body.readableBytes();
        boolean escaped = false;
        for (int i = start + 1; i < n; i++) {
            byte b = body.getByte(base + i);
            if (escaped) {
                escaped = false;
            } else if (b == '\\') {
                escaped = true;
            } else if (b == '"') {
                return i + 1;
            }
        }
        return n;
    }

    private static int numberEnd(ByteBuf body, int start) {
        int base = body.readerIndex();
        int n = body.readableBytes();
        int i = start;
        while (i < n) {
            byte b = body.getByte(base + i);
            if ((b >= '0' && b <= '9') || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E') {
                i++;
            } else {
                break;
            }
        }
        return i;
    }
}
