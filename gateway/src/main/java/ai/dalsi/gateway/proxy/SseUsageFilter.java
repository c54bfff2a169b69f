package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.TokenUsage;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.internal.SWARUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Splits a server-sent-event stream into events as it passes, across chunk boundaries, and decides
 * per event: forward it, drop it (the usage-only chunk a client did not ask for), or hold it and
 * everything after it until the exchange may end: the final {@code data: [DONE]} of a chat or
 * completions stream; the terminal {@code response.completed}, {@code response.incomplete} or
 * {@code response.failed} event of a responses stream (which has no {@code [DONE]} and carries its
 * usage in that event, under {@code response.usage}).
 *
 * <p>Only complete events are handed on, so the start of an event that a chunk cuts off waits
 * (as retained slices, no copy) for the chunk that completes it; an event longer than
 * {@code maxEventBytes} is forwarded as it comes and not inspected. Bytes are scanned once; JSON is
 * parsed only for events whose top level may carry a non-null {@code "usage"} (one per stream from
 * OpenAI), so the per-chunk cost is a byte scan and a slice.
 */
final class SseUsageFilter {

    /** Where the filter's output goes. Both take ownership of the buffer. */
    interface Sink {
        /** Bytes to send to the client now. */
        void forward(ByteBuf buf);

        /** Bytes that must wait until the exchange may end. */
        void hold(ByteBuf buf);
    }

    /** Which kind of stream: where its usage is and which event ends it. */
    enum Mode {
        /** Chat and completions: usage at the top of a chunk, {@code data: [DONE]} last. */
        CHAT,
        /** Responses: usage in the terminal event's {@code response}. */
        RESPONSES
    }

    /** The types of the events that end a responses stream. */
    static boolean isTerminalResponseEvent(String type) {
        return "response.completed".equals(type) || "response.incomplete".equals(type) || "response.failed".equals(type);
    }

    private static final int USAGE_ONLY = 1;
    private static final int TERMINAL = 2;

    private final Mode mode;
    private final boolean dropUsageEvent;
    private final int maxEventBytes;
    private final JsonFactory json;
    private final Sink sink;
    private final Scanner scanner;

    /** The beginning of the current event, from earlier chunks. */
    private ByteBuf pending;
    /** The current event outgrew maxEventBytes: it is forwarded as it comes. */
    private boolean oversized;
    private boolean doneSeen;
    /** The last event ended in a CR at the end of a chunk: the LF of its CRLF may open the next chunk. */
    private boolean endedBeforeLf;
    /** ... and that event was dropped. */
    private boolean droppedBeforeLf;
    private TokenUsage usage;

    SseUsageFilter(boolean dropUsageEvent, int maxEventBytes, JsonFactory json, Sink sink) {
        this(Mode.CHAT, dropUsageEvent, maxEventBytes, json, sink);
    }

    SseUsageFilter(Mode mode, boolean dropUsageEvent, int maxEventBytes, JsonFactory json, Sink sink) {
        this.mode = mode;
        this.scanner = new Scanner(mode == Mode.RESPONSES);
        this.dropUsageEvent = dropUsageEvent && mode == Mode.CHAT;
        this.maxEventBytes = maxEventBytes;
        this.json = json;
        this.sink = sink;
    }

    /**
     * Takes the chunk's readable bytes, which {@code bytes} holds from index 0 (see
     * {@link ByteScan#copy}): they are read there, and cut out of the chunk. Returns true when the
     * caller should forward the chunk itself, untouched (it held only whole events, none to drop or
     * hold; the filter kept nothing of it). Otherwise the filter handed retained slices to the sink
     * and the caller releases the chunk. Never changes the chunk's indexes or reference count.
     */
    boolean accept(ByteBuf chunk, byte[] bytes) {
        final int start = chunk.readerIndex();
        final int end = chunk.writerIndex();
        if (doneSeen) {
            if (start < end) {
                sink.hold(chunk.retainedSlice(start, end - start));
            }
            return false;
        }
        boolean touched = pending != null;
        int runStart = start;
        int eventStart = start;
        int i = start;
        if (endedBeforeLf) {
            endedBeforeLf = false;
            if (start < end && bytes[0] == '\n') {
                // The LF ends the previous event: it goes (or is dropped) with it, not with the next one.
                scanner.lastWasCr = false;
                eventStart = i = start + 1;
                if (droppedBeforeLf) {
                    runStart = start + 1;
                    touched = true;
                }
            }
            droppedBeforeLf = false;
        }
        while (i < end) {
            int boundary = scanner.process(bytes, i - start, end - start);
            if (boundary < 0) {
                break;
            }
            int eventEnd = start + boundary + 1;
            if (scanner.lastWasCr && eventEnd < end && bytes[eventEnd - start] == '\n') {
                // CRLF: the LF belongs to the event it ends, not to the next one.
                scanner.lastWasCr = false;
                eventEnd++;
            }
            int read = !oversized && scanner.usage ? readUsage(chunk, eventStart, eventEnd) : 0;
            if (!oversized && (scanner.done || scanner.terminal || (read & TERMINAL) != 0)) {
                if (runStart < eventStart) {
                    sink.forward(chunk.retainedSlice(runStart, eventStart - runStart));
                }
                if (pending != null) {
                    sink.hold(pending);
                    pending = null;
                }
                sink.hold(chunk.retainedSlice(eventStart, end - eventStart));
                doneSeen = true;
                return false;
            }
            boolean drop = (read & USAGE_ONLY) != 0 && dropUsageEvent;
            if (drop) {
                if (runStart < eventStart) {
                    sink.forward(chunk.retainedSlice(runStart, eventStart - runStart));
                }
                if (pending != null) {
                    pending.release();
                    pending = null;
                }
                runStart = eventEnd;
                touched = true;
            } else if (pending != null) {
                // The event began in an earlier chunk: its beginning goes out before the rest of it.
                sink.forward(pending);
                pending = null;
            }
            endedBeforeLf = scanner.lastWasCr && eventEnd == end;
            droppedBeforeLf = drop;
            oversized = false;
            scanner.reset();
            eventStart = eventEnd;
            i = eventEnd;
        }
        if (!touched && runStart == start && eventStart == end) {
            return true;
        }
        if (runStart < eventStart) {
            sink.forward(chunk.retainedSlice(runStart, eventStart - runStart));
        }
        if (eventStart < end) {
            ByteBuf tail = chunk.retainedSlice(eventStart, end - eventStart);
            if (oversized) {
                sink.forward(tail);
            } else {
                append(chunk, tail);
                if (pending.readableBytes() > maxEventBytes) {
                    oversized = true;
                    sink.forward(pending);
                    pending = null;
                }
            }
        }
        return false;
    }

    /** The stream ended: an unfinished last event is held (it is the end of the response). */
    void finish() {
        if (pending != null) {
            if (scanner.usage && !oversized) {
                readUsage(pending, pending.readerIndex(), pending.writerIndex());
            }
            sink.hold(pending);
            pending = null;
        }
    }

    /** The last usage the stream reported, or null. */
    TokenUsage usage() {
        return usage;
    }

    /** Frees what the filter still keeps (the exchange failed). */
    void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    private void append(ByteBuf chunk, ByteBuf tail) {
        if (pending == null) {
            pending = tail;
        } else if (pending instanceof CompositeByteBuf composite) {
            composite.addComponent(true, tail);
        } else {
            CompositeByteBuf composite = chunk.alloc().compositeBuffer();
            composite.addComponent(true, pending);
            composite.addComponent(true, tail);
            pending = composite;
        }
    }

    /**
     * Parses the event made of {@code pending} and {@code buf[from, to)}; remembers its usage.
     * Returns {@link #USAGE_ONLY} for a chat usage-only event (usage, and an empty {@code choices}),
     * {@link #TERMINAL} for a responses stream's terminal event. Rare (once per stream), so it copies
     * the event to parse it.
     */
    private int readUsage(ByteBuf buf, int from, int to) {
        int before = pending == null || pending == buf ? 0 : pending.readableBytes();
        byte[] event = new byte[before + to - from];
        if (before > 0) {
            pending.getBytes(pending.readerIndex(), event, 0, before);
        }
        buf.getBytes(from, event, before, to - from);
        byte[] payload = new byte[event.length];
        int n = dataPayload(event, payload);
        UsageReader reader = new UsageReader(mode == Mode.CHAT ? UsageReader.Where.TOP_LEVEL : UsageReader.Where.IN_RESPONSE);
        try (JsonParser p = json.createParser(payload, 0, n)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                reader.token(t, p);
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        TokenUsage u = reader.usage(0);
        if (u != null) {
            usage = u;
        }
        if (mode == Mode.RESPONSES) {
            return isTerminalResponseEvent(reader.type()) ? TERMINAL : 0;
        }
        return u != null && reader.choicesEmpty() ? USAGE_ONLY : 0;
    }

    /** The event's {@code data:} lines, joined with newlines, into {@code out}; returns the length. */
    static int dataPayload(byte[] event, byte[] out) {
        int n = 0;
        int i = 0;
        boolean first = true;
        while (i < event.length) {
            int lineEnd = i;
            while (lineEnd < event.length && event[lineEnd] != '\n' && event[lineEnd] != '\r') {
                lineEnd++;
            }
            if (lineEnd - i >= 5 && event[i] == 'd' && event[i + 1] == 'a' && event[i + 2] == 't'
                    && event[i + 3] == 'a' && event[i + 4] == ':') {
                int from = i + 5;
                if (from < lineEnd && event[from] == ' ') {
                    from++;
                }
                if (!first) {
                    out[n++] = '\n';
                }
                System.arraycopy(event, from, out, n, lineEnd - from);
                n += lineEnd - from;
                first = false;
            }
            i = lineEnd + 1;
        }
        return n;
    }

    /**
     * Per-byte state of the current event: where it ends (a blank line: LF, CR or CRLF line ends),
     * whether its first line is {@code data: [DONE]}, whether it has a {@code "usage"} key whose
     * value is not {@code null}, and (responses streams) whether an {@code event:} line names a
     * terminal event.
     */
    static final class Scanner implements ByteScan.Processor {
        private static final byte[] DONE_SPACED = "data: [DONE]".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] DONE_TIGHT = "data:[DONE]".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] EVENT_FIELD = "event:".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] COMPLETED = "response.completed".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] INCOMPLETE = "response.incomplete".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] FAILED = "response.failed".getBytes(StandardCharsets.US_ASCII);
        /** Longest event line that may name a terminal event: "event: response.incomplete". */
        private static final int MAX_EVENT_LINE = 32;
        private static final byte[] USAGE_KEY = "\"usage\"".getBytes(StandardCharsets.US_ASCII);
        /** {@link SWARUtil} patterns of the bytes besides line ends that a run stops at. */
        private static final long QUOTE = SWARUtil.compilePattern((byte) '"');
        private static final long U = SWARUtil.compilePattern((byte) 'u');

        private final boolean eventLines;
        /** The current line while it may be an {@code event:} line, else null. */
        private final byte[] line;
        private boolean lineMayBeEvent = true;

        Scanner() {
            this(false);
        }

        Scanner(boolean eventLines) {
            this.eventLines = eventLines;
            this.line = eventLines ? new byte[MAX_EVENT_LINE] : null;
        }

        private int lineLength;
        boolean lastWasCr;
        private boolean content;
        private boolean inFirstLine = true;
        private int firstLength;
        private boolean firstMatchesSpaced = true;
        private boolean firstMatchesTight = true;
        /** 0: nothing; 1: after the "usage" key, expecting ':'; 2: after ':', expecting the value. */
        private int usageState;
        /**
         * How many bytes of {@code "usage"} the last bytes match. Its only repeated byte is the quote
         * that opens and closes it, so a mismatch goes back to 1 on a quote and to 0 on anything else,
         * and a whole match leaves 1 (its closing quote may open the next).
         */
        private int usageMatched;

        /** At a boundary: the event is the final {@code data: [DONE]}. */
        boolean done;
        /** At a boundary: the event has a non-null {@code "usage"} value somewhere. */
        boolean usage;
        /** At a boundary: an {@code event:} line named a terminal responses event. */
        boolean terminal;

        /**
         * Runs over the bytes that change nothing but the line's length while no match, first-line or
         * event-line check is under way: every byte but a line end and a quote that may open
         * {@code "usage"} (one followed by {@code u}, or the block's last byte, whose successor is not
         * known here). A quote followed by anything else changes nothing either: it would match the
         * key's first byte, and the byte after it would undo that (or, as another quote, be judged by
         * the same rule). The others go through {@link #process(byte)}.
         */
        @Override
        public int process(byte[] block, int from, int to) {
            int i = from;
            while (i < to) {
                // Past a line's first byte, which also ends any CR before it (lastWasCr is false).
                if (lineLength > 0 && usageMatched == 0 && usageState == 0
                        && (!inFirstLine || !(firstMatchesSpaced || firstMatchesTight))
                        && (!eventLines || !lineMayBeEvent)) {
                    int run = i;
                    i = skip(block, i, to);
                    while (i < to) {
                        byte b = block[i];
                        if ((b & 0xff) <= '"'
                                && (b == '\n' || b == '\r' || b == '"' && (i + 1 == to || block[i + 1] == 'u'))) {
                            break;
                        }
                        i++;
                    }
                    lineLength += i - run;
                    if (i == to) {
                        return -1;
                    }
                }
                if (!process(block[i])) {
                    return i;
                }
                i++;
            }
            return -1;
        }

        /**
         * Skips what a run skips (see {@link #process(byte[], int, int)}) eight bytes at a time with
         * Netty's {@link SWARUtil}: returns the index of the first byte it must stop at (a line end,
         * a quote followed by a {@code u}, or a quote that is the block's last byte), or, when the
         * whole words held none, the index of the last few bytes, which the caller takes one by one.
         * A stream's lines are long runs of bytes that are none of these.
         */
        private static int skip(byte[] block, int from, int to) {
            int i = from;
            for (; i <= to - Long.BYTES; i += Long.BYTES) {
                long word = ByteScan.word(block, i);
                long quotes = SWARUtil.applyPattern(word, QUOTE);
                // A quote's successor in the same word lies one byte higher.
                long stops = SWARUtil.applyPattern(word, ByteScan.LF) | SWARUtil.applyPattern(word, ByteScan.CR)
                        | quotes & (SWARUtil.applyPattern(word, U) >>> Byte.SIZE);
                if (quotes < 0 && (i + Long.BYTES == to || block[i + Long.BYTES] == 'u')) {
                    // A quote in the word's last byte, followed by a u or ending the block.
                    stops |= Long.MIN_VALUE;
                }
                if (stops != 0) {
                    return i + SWARUtil.getIndex(stops, false);
                }
            }
            return i;
        }

        @Override
        public boolean process(byte b) {
            if (b == '\n') {
                if (lastWasCr) {
                    lastWasCr = false;
                    return true;
                }
                return lineEnd();
            }
            if (b == '\r') {
                lastWasCr = true;
                return lineEnd();
            }
            lastWasCr = false;
            content = true;
            if (eventLines && lineMayBeEvent) {
                if (lineLength < MAX_EVENT_LINE) {
                    line[lineLength] = b;
                    lineMayBeEvent = lineLength >= EVENT_FIELD.length || EVENT_FIELD[lineLength] == b;
                } else {
                    lineMayBeEvent = false;
                }
            }
            if (inFirstLine) {
                firstMatchesSpaced &= firstLength < DONE_SPACED.length && DONE_SPACED[firstLength] == b;
                firstMatchesTight &= firstLength < DONE_TIGHT.length && DONE_TIGHT[firstLength] == b;
                firstLength++;
            }
            lineLength++;
            if (usageState != 0) {
                usageValue(b);
            }
            if (b == USAGE_KEY[usageMatched]) {
                if (++usageMatched == USAGE_KEY.length) {
                    usageState = 1;
                    usageMatched = 1;
                }
            } else {
                usageMatched = b == '"' ? 1 : 0;
            }
            return true;
        }

        private void usageValue(byte b) {
            if (b == ' ' || b == '\t') {
                return;
            }
            if (usageState == 1) {
                usageState = b == ':' ? 2 : 0;
            } else {
                usage |= b != 'n';
                usageState = 0;
            }
        }

        /** Returns false at the blank line that ends an event. */
        private boolean lineEnd() {
            if (eventLines && lineMayBeEvent && lineLength > EVENT_FIELD.length) {
                int from = EVENT_FIELD.length;
                if (line[from] == ' ') {
                    from++;
                }
                terminal |= matches(line, from, lineLength, COMPLETED) || matches(line, from, lineLength, INCOMPLETE)
                        || matches(line, from, lineLength, FAILED);
            }
            lineMayBeEvent = true;
            if (lineLength == 0) {
                if (!content) {
                    return true;
                }
                done = !inFirstLine
                        && ((firstMatchesSpaced && firstLength == DONE_SPACED.length)
                            || (firstMatchesTight && firstLength == DONE_TIGHT.length));
                return false;
            }
            inFirstLine = false;
            lineLength = 0;
            usageState = 0;
            usageMatched = 0;
            return true;
        }

        private static boolean matches(byte[] line, int from, int to, byte[] name) {
            if (to - from != name.length) {
                return false;
            }
            for (int i = 0; i < name.length; i++) {
                if (line[from + i] != name[i]) {
                    return false;
                }
            }
            return true;
        }

        /** Starts the next event (keeps the CR state so the LF of a CRLF is not a line of its own). */
        void reset() {
            lineLength = 0;
            content = false;
            inFirstLine = true;
            firstLength = 0;
            firstMatchesSpaced = true;
            firstMatchesTight = true;
            usageState = 0;
            usageMatched = 0;
            done = false;
            usage = false;
            terminal = false;
            lineMayBeEvent = true;
        }
    }
}
