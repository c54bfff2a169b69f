package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.ProductKind;
import ai.dalsi.metering.TokenUsage;
import com.fasterxml.jackson.core.JsonFactory;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;

/**
 * Reads a response's usage as its body passes to the client, by what the product is and what the
 * backend sent, and decides which bytes wait for the end (see {@link ResponseRelay}):
 * <ul>
 *   <li>{@link Plain}: no usage to read (an error status, a body that is neither JSON nor a stream);</li>
 *   <li>{@link Json}: a whole JSON answer, scanned for its top-level {@code usage} (and, for images,
 *       its {@code data} entries) without keeping the body;</li>
 *   <li>{@link EventStream}: server-sent events; chat and completions streams end with {@code [DONE]}
 *       and report usage in a chunk of their own (dropped when the gateway asked for it and the
 *       client did not); responses streams report it in their terminal event.</li>
 * </ul>
 * A plain or JSON body flows one chunk behind, so that its last bytes wait with the end; a stream's
 * end event and everything after it wait.
 */
sealed interface UsageTap permits UsageTap.Plain, UsageTap.Json, UsageTap.EventStream {

    /**
     * One chunk of the body ({@code last}: the backend's end), handed to the relay; takes ownership.
     * {@code bytes} holds the chunk's readable bytes from index 0 (see {@link ByteScan#copy}) when
     * the tap {@link #reads() reads} them, else it may be null.
     */
    void content(HttpContent c, boolean last, ResponseRelay relay, byte[] bytes);

    /** Whether the tap reads the body's bytes. */
    default boolean reads() {
        return true;
    }

    /** The usage read so far (final after the last chunk), or null. */
    TokenUsage usage();

    /** Frees what the tap keeps (the exchange ended early). */
    void release();

    /**
     * The tap for a response.
     *
     * @param clientAskedForUsage false when the gateway added {@code include_usage} to a chat stream: its
     *                            usage-only chunk is read and dropped
     */
    static UsageTap of(ProductKind kind, int status, String contentType, boolean clientAskedForUsage,
            long scanLimit, JsonFactory json) {
        boolean success = status >= 200 && status < 300;
        if (success && contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17)) {
            SseUsageFilter.Mode mode = kind == ProductKind.RESPONSES ? SseUsageFilter.Mode.RESPONSES : SseUsageFilter.Mode.CHAT;
            return new EventStream(mode, !clientAskedForUsage, json);
        }
        if (success && contentType != null && AsciiString.containsIgnoreCase(contentType, "json")) {
            return new Json(new JsonUsageScanner(json, scanLimit, kind == ProductKind.IMAGE));
        }
        return new Plain();
    }

    /** Nothing to read. */
    final class Plain implements UsageTap {
        @Override
        public boolean reads() {
            return false;
        }

        @Override
        public void content(HttpContent c, boolean last, ResponseRelay relay, byte[] bytes) {
            if (last) {
                relay.holdEnd((LastHttpContent) c);
            } else {
                relay.writeBehind(c);
            }
        }

        @Override
        public TokenUsage usage() {
            return null;
        }

        @Override
        public void release() {
        }
    }

    /** A whole JSON answer. */
    final class Json implements UsageTap {
        private final JsonUsageScanner scanner;
        private TokenUsage usage;

        Json(JsonUsageScanner scanner) {
            this.scanner = scanner;
        }

        @Override
        public void content(HttpContent c, boolean last, ResponseRelay relay, byte[] bytes) {
            scanner.feed(bytes, c.content().readableBytes());
            if (last) {
                usage = scanner.finish();
                relay.holdEnd((LastHttpContent) c);
            } else {
                relay.writeBehind(c);
            }
        }

        @Override
        public TokenUsage usage() {
            return usage;
        }

        @Override
        public void release() {
        }
    }

    /** Server-sent events. */
    final class EventStream implements UsageTap {
        private final SseUsageFilter.Mode mode;
        private final boolean dropUsageEvent;
        private final JsonFactory json;
        private SseUsageFilter filter;

        EventStream(SseUsageFilter.Mode mode, boolean dropUsageEvent, JsonFactory json) {
            this.mode = mode;
            this.dropUsageEvent = dropUsageEvent;
            this.json = json;
        }

        @Override
        public void content(HttpContent c, boolean last, ResponseRelay relay, byte[] bytes) {
            if (filter == null) {
                filter = new SseUsageFilter(mode, dropUsageEvent, ResponseRelay.MAX_HELD_BYTES, json, relay);
            }
            relay.holdingAll(last);
            ByteBuf content = c.content();
            if (filter.accept(content, bytes)) {
                if (last) {
                    relay.hold(content.retainedSlice());
                    relay.holdEndOfStream((LastHttpContent) c);
                    c.release();
                } else {
                    relay.writeContent(c);
                }
            } else {
                if (last) {
                    relay.holdEndOfStream((LastHttpContent) c);
                }
                c.release();
            }
            if (last) {
                filter.finish();
            }
        }

        @Override
        public TokenUsage usage() {
            return filter == null ? null : filter.usage();
        }

        @Override
        public void release() {
            if (filter != null) {
                filter.release();
            }
        }

        SseUsageFilter.Mode mode() {
            return mode;
        }
    }
}
