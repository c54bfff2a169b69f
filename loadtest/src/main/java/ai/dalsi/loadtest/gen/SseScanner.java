package ai.dalsi.loadtest.gen;

import io.netty.buffer.ByteBuf;

/**
 * Reads a server-sent event stream as it arrives, in chunks split anywhere (even inside a line or
 * a CRLF), and counts what a client would see: events that carried data, and whether the stream
 * ended the OpenAI way with {@code data: [DONE]}. It keeps only the start of the current line, so
 * its memory does not grow with the stream.
 */
public final class SseScanner {

    private static final byte[] DONE_A = "data: [DONE]".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] DONE_B = "data:[DONE]".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int KEEP = 16;

    private final byte[] line = new byte[KEEP];
    private int lineLength;
    private boolean eventHasData;
    private int events;
    private boolean done;

    /** Feeds the readable bytes of a chunk; does not change the buffer's indexes or release it. */
    public void feed(ByteBuf chunk) {
        for (int i = chunk.readerIndex(), end = chunk.writerIndex(); i < end; i++) {
            accept(chunk.getByte(i));
        }
    }

    /** Feeds bytes (for callers that hold arrays). */
    public void feed(byte[] bytes) {
        for (byte b : bytes) {
            accept(b);
        }
    }

    private void accept(byte b) {
        if (b == '\n') {
            endLine();
        } else if (b != '\r') {
            // A lone CR also ends a line in SSE, but no server we talk to sends one; CRLF is handled
            // by ignoring the CR and ending at the LF.
            if (lineLength < KEEP) {
                line[lineLength] = b;
            }
            lineLength++;
        }
    }

    private void endLine() {
        if (lineLength == 0) {
            if (eventHasData) {
                events++;
            }
            eventHasData = false;
        } else {
            if (startsWith("data:")) {
                eventHasData = true;
                if (equalsLine(DONE_A) || equalsLine(DONE_B)) {
                    done = true;
                }
            }
        }
        lineLength = 0;
    }

    private boolean startsWith(String prefix) {
        if (lineLength < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean equalsLine(byte[] expected) {
        if (lineLength != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (line[i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Events that carried at least one {@code data:} line and were terminated by a blank line. */
    public int events() {
        return events;
    }

    /** Whether {@code data: [DONE]} has been seen. */
    public boolean done() {
        return done;
    }

    /** Forgets everything, for the next stream on the same connection. */
    public void reset() {
        lineLength = 0;
        eventHasData = false;
        events = 0;
        done = false;
    }
}
