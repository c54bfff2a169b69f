package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.tokens.GeneratedText;
import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import java.util.Arrays;

/**
 * Gathers the text a backend generated as its answer passes through the proxy, into the
 * exchange's {@link GeneratedText}: what the gateway counts with the model's tokenizer when the
 * backend reports no usage, or when the client hangs up before the usage came (the backend is
 * then cancelled, and what it produced until then is what the request is billed for).
 *
 * <p>A stream is read line by line: each {@code data:} line's JSON adds its choices' deltas (or a
 * responses stream's {@code *.delta}), never the framing, ids or roles. A whole JSON answer is
 * kept, up to a bound, and read once at its end. Reads the bytes it is given without changing
 * their indexes or reference counts. Confined to the exchange's event loop.
 */
abstract sealed class GeneratedTextReader {

    /** Longest {@code data:} line, or JSON answer, read; longer ones add nothing (their usage is then unknown). */
    final int maxBytes;
    final GeneratedText into;

    private GeneratedTextReader(GeneratedText into, int maxBytes) {
        this.into = into;
        this.maxBytes = maxBytes;
    }

    /** The reader for a successful answer of this content type, or null when there is nothing to read. */
    static GeneratedTextReader of(String contentType, GeneratedText into, int maxBytes) {
        if (into == null || contentType == null) {
            return null;
        }
        if (contentType.regionMatches(true, 0, "text/event-stream", 0, 17)) {
            return new Events(into, maxBytes);
        }
        if (AsciiString.containsIgnoreCase(contentType, "json")) {
            return new Json(into, maxBytes);
        }
        return null;
    }

    /** Reads a piece of the body. */
    abstract void feed(ByteBuf content);

    /** The body ended (or was cut off): reads what is still kept. */
    abstract void finish();

    /** Bytes kept across pieces, grown as needed up to {@code maxBytes + 1}. */
    static final class Buffer {
        byte[] bytes = new byte[256];
        int length;
        boolean overflow;

        void append(ByteBuf from, int index, int count, int max) {
            if (overflow) {
                return;
            }
            if (length + count > max) {
                overflow = true;
                return;
            }
            if (length + count > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(length + count, Math.min(max, bytes.length * 2)));
            }
            from.getBytes(index, bytes, length, count);
            length += count;
        }

        void clear() {
            length = 0;
            overflow = false;
        }
    }

    /** Server-sent events: every {@code data:} line. */
    static final class Events extends GeneratedTextReader {
        /**
         * Stops at a line's end (LF or CR), scanning each block in a loop of its own. Through the
         * interface's default block method each byte would be a call to a lambda, from a call site
         * that every scanner shares.
         */
        private static final ByteScan.Processor LINE_END = new ByteScan.Processor() {
            @Override
            public boolean process(byte b) {
                return b != '\n' && b != '\r';
            }

            @Override
            public int process(byte[] block, int from, int to) {
                for (int i = from; i < to; i++) {
                    byte b = block[i];
                    if (b == '\n' || b == '\r') {
                        return i;
                    }
                }
                return -1;
            }
        };

        private final Buffer line = new Buffer();

        Events(GeneratedText into, int maxBytes) {
            super(into, maxBytes);
        }

        @Override
        void feed(ByteBuf content) {
            int i = content.readerIndex();
            int end = content.writerIndex();
            while (i < end) {
                int nl = ByteScan.forEachByte(content, i, end - i, LINE_END);
                if (nl < 0) {
                    line.append(content, i, end - i, maxBytes);
                    return;
                }
                line.append(content, i, nl - i, maxBytes);
                endOfLine();
                i = nl + 1;
            }
        }

        @Override
        void finish() {
            endOfLine();
        }

        private void endOfLine() {
            byte[] b = line.bytes;
            int n = line.length;
            if (!line.overflow && n > 5 && b[0] == 'd' && b[1] == 'a' && b[2] == 't' && b[3] == 'a' && b[4] == ':') {
                int from = b[5] == ' ' ? 6 : 5;
                if (from < n && b[from] == '{') {
                    into.addJson(b, from, n - from);
                }
            }
            line.clear();
        }
    }

    /** A whole JSON answer. */
    static final class Json extends GeneratedTextReader {
        private final Buffer body = new Buffer();

        Json(GeneratedText into, int maxBytes) {
            super(into, maxBytes);
        }

        @Override
        void feed(ByteBuf content) {
            body.append(content, content.readerIndex(), content.readableBytes(), maxBytes);
        }

        @Override
        void finish() {
            if (!body.overflow && body.length > 0) {
                into.addJson(body.bytes, 0, body.length);
            }
            body.clear();
        }
    }
}
