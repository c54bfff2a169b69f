package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.tokens.GeneratedText;
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
 * kept, up to a bound, and read once at its end. Confined to the exchange's event loop.
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

    /** Reads a piece of the body: its bytes {@code bytes[0, n)} (see {@link ByteScan#copy}). */
    abstract void feed(byte[] bytes, int n);

    /** The body ended (or was cut off): reads what is still kept. */
    abstract void finish();

    /**
     * Server-sent events: every {@code data:} line. The lines that begin and end in one piece are
     * handed on from where they lie in it; only a line that a piece cuts off is kept, its start
     * copied here until the piece that ends it.
     */
    static final class Events extends GeneratedTextReader {
        /** The start of the line not ended yet. */
        private byte[] kept = new byte[256];
        /** Bytes of the line not ended yet that are kept (none while {@link #overflow}). */
        private int keptLength;
        /** Whether the line not ended yet is longer than {@code maxBytes}: it adds nothing. */
        private boolean overflow;

        Events(GeneratedText into, int maxBytes) {
            super(into, maxBytes);
        }

        @Override
        void feed(byte[] bytes, int n) {
            int start = 0;
            if (keptLength > 0 || overflow) {
                // The line the last piece cut off goes on here.
                int end = ByteScan.lineEnd(bytes, 0, n);
                keep(bytes, 0, end < 0 ? n : end);
                if (end < 0) {
                    return;
                }
                endKeptLine();
                start = end + 1;
            }
            for (int end = ByteScan.lineEnd(bytes, start, n); end >= 0; end = ByteScan.lineEnd(bytes, start, n)) {
                endOfLine(bytes, start, end - start);
                start = end + 1;
            }
            keep(bytes, start, n);
        }

        /** Adds {@code bytes[from, to)} to the line not ended yet, unless it grows too long. */
        private void keep(byte[] bytes, int from, int to) {
            int n = to - from;
            if (overflow || n == 0) {
                return;
            }
            int total = keptLength + n;
            if (total > maxBytes) {
                overflow = true;
                keptLength = 0;
                return;
            }
            if (total > kept.length) {
                kept = Arrays.copyOf(kept, Math.max(total, Math.min(kept.length * 2, maxBytes)));
            }
            System.arraycopy(bytes, from, kept, keptLength, n);
            keptLength = total;
        }

        @Override
        void finish() {
            endKeptLine();
        }

        /** The line not ended yet ended: it is read, unless it grew too long. */
        private void endKeptLine() {
            if (!overflow) {
                endOfLine(kept, 0, keptLength);
            }
            keptLength = 0;
            overflow = false;
        }

        /** A whole line, {@code b[from, from + n)}: a {@code data:} line's JSON is added. */
        private void endOfLine(byte[] b, int from, int n) {
            if (n > 5 && n <= maxBytes && b[from] == 'd' && b[from + 1] == 'a' && b[from + 2] == 't'
                    && b[from + 3] == 'a' && b[from + 4] == ':') {
                int json = b[from + 5] == ' ' ? from + 6 : from + 5;
                if (json < from + n && b[json] == '{') {
                    into.addJson(b, json, from + n - json);
                }
            }
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
        void feed(byte[] bytes, int count) {
            if (overflow || length + count > maxBytes) {
                overflow = true;
                return;
            }
            if (length + count > body.length) {
                body = Arrays.copyOf(body, Math.max(length + count, Math.min(maxBytes, body.length * 2)));
            }
            System.arraycopy(bytes, 0, body, length, count);
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
