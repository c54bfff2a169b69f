package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.tokens.GeneratedText;
import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import io.netty.util.internal.SWARUtil;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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

    /**
     * Server-sent events: every {@code data:} line. Each piece is copied once, behind the start of
     * the line it continues, and its line ends are found in that copy: the bytes are read from the
     * buffer once, and a line is handed on from where it lies.
     */
    static final class Events extends GeneratedTextReader {
        /** Most bytes of a piece copied at a time. */
        static final int WINDOW = 16 * 1024;
        /** Eight bytes of an array as one long, the first byte lowest. */
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
        private static final long LF = SWARUtil.compilePattern((byte) '\n');
        private static final long CR = SWARUtil.compilePattern((byte) '\r');

        /** The start of the line not ended yet, then the piece being read. */
        private byte[] bytes = new byte[256];
        /** Bytes of the line not ended yet that are kept (none while {@link #overflow}). */
        private int kept;
        /** Whether the line not ended yet is longer than {@code maxBytes}: it adds nothing. */
        private boolean overflow;

        Events(GeneratedText into, int maxBytes) {
            super(into, maxBytes);
        }

        @Override
        void feed(ByteBuf content) {
            int from = content.readerIndex();
            int end = content.writerIndex();
            while (from < end) {
                int n = Math.min(WINDOW, end - from);
                int total = kept + n;
                if (total > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.max(total, Math.min(bytes.length * 2, maxBytes + WINDOW)));
                }
                content.getBytes(from, bytes, kept, n);
                from += n;
                byte[] b = bytes;
                int start = 0;
                for (int i = lineEnd(b, kept, total); i >= 0; i = lineEnd(b, start, total)) {
                    endOfLine(start, i - start);
                    start = i + 1;
                }
                int rest = total - start;
                if (overflow || rest > maxBytes) {
                    overflow = true;
                    kept = 0;
                } else {
                    System.arraycopy(b, start, b, 0, rest);
                    kept = rest;
                }
            }
        }

        @Override
        void finish() {
            endOfLine(0, kept);
            kept = 0;
        }

        /**
         * The index of the first line end (LF or CR) in {@code b[from, to)}, or -1: eight bytes at a
         * time with Netty's {@link SWARUtil}, the last few one by one. A stream's lines are long
         * runs of bytes that are neither (a chunk's JSON, about 200 bytes).
         */
        static int lineEnd(byte[] b, int from, int to) {
            int i = from;
            for (; i <= to - Long.BYTES; i += Long.BYTES) {
                long word = (long) LONGS.get(b, i);
                long ends = SWARUtil.applyPattern(word, LF) | SWARUtil.applyPattern(word, CR);
                if (ends != 0) {
                    return i + SWARUtil.getIndex(ends, false);
                }
            }
            for (; i < to; i++) {
                if (b[i] == '\n' || b[i] == '\r') {
                    return i;
                }
            }
            return -1;
        }

        /** A line ended: {@code bytes[from, from + n)}, unless it was too long to keep. */
        private void endOfLine(int from, int n) {
            byte[] b = bytes;
            if (!overflow && n > 5 && n <= maxBytes && b[from] == 'd' && b[from + 1] == 'a' && b[from + 2] == 't'
                    && b[from + 3] == 'a' && b[from + 4] == ':') {
                int json = b[from + 5] == ' ' ? from + 6 : from + 5;
                if (json < from + n && b[json] == '{') {
                    into.addJson(b, json, from + n - json);
                }
            }
            overflow = false;
        }
    }

    /** A whole JSON answer, kept up to {@code maxBytes}. */
    static final class Json extends GeneratedTextReader {
        private byte[] body = new byte[256];
        private int length;
        /** Whether the answer is longer than {@code maxBytes}: it adds nothing. */
        private boolean overflow;

        Json(GeneratedText into, int maxBytes) {
            super(into, maxBytes);
        }

        @Override
        void feed(ByteBuf content) {
            int count = content.readableBytes();
            if (overflow || length + count > maxBytes) {
                overflow = true;
                return;
            }
            if (length + count > body.length) {
                body = Arrays.copyOf(body, Math.max(length + count, Math.min(maxBytes, body.length * 2)));
            }
            content.getBytes(content.readerIndex(), body, length, count);
            length += count;
        }

        @Override
        void finish() {
            if (!overflow && length > 0) {
                into.addJson(body, 0, length);
            }
            length = 0;
            overflow = false;
        }
    }
}
