package ai.dalsi.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.function.BooleanSupplier;

/**
 * Writes a backend's response to the client with backpressure, as in Netty's HexDumpProxy: after
 * each read batch it flushes, and asks the backend for more only once the last write to the client
 * succeeded, so at most one read's worth of response waits in the gateway however slow the client
 * and however fast the backend.
 *
 * <p>The body bytes a read batch passes on untouched (a stream's events) are gathered and written as
 * one chunk before any other write and at the batch's flush: one write, one promise and one chunk
 * header per batch instead of one per event of the backend's. Chunk boundaries carry no meaning in
 * HTTP, and the bytes leave at the same flush as before.
 *
 * <p>It also keeps the ledger's promise: the end of the response (the last bytes of a plain body
 * with the end of the chunked encoding, the final {@code [DONE]} or terminal event of a stream) is
 * held back until {@link #release()}, which the exchange calls once the usage event is journaled.
 * The buffers it holds are the backend's own (pooled) buffers or retained slices of them.
 *
 * <p>Confined to the inbound channel's event loop.
 */
final class ResponseRelay implements SseUsageFilter.Sink {

    /** An SSE event longer than this is forwarded unread; bytes held beyond it are let go. */
    static final int MAX_HELD_BYTES = 1 << 20;
    /** Pieces gathered into one chunk at most (a composite buffer copies when it outgrows its limit). */
    static final int MAX_BATCH_PIECES = 64;

    private final Channel inbound;
    private long responseBytes;
    private ChannelFuture lastWrite;
    private boolean wroteInBatch;
    private boolean resumeArmed;
    /** The final content is being read: everything goes to {@link #held}. */
    private boolean holdingAll;
    private CompositeByteBuf held;
    /** Body bytes of this read batch not written yet. */
    private CompositeByteBuf batch;
    /** A plain response's latest chunk, written when the next one comes (held with the end). */
    private HttpContent behind;
    private LastHttpContent heldLast;

    ResponseRelay(Channel inbound) {
        this.inbound = inbound;
    }

    /** Body bytes written or held for the client so far. */
    long responseBytes() {
        return responseBytes;
    }

    /** Writes the response headers (or any message) without counting body bytes. */
    void write(Object msg) {
        writeBatch();
        send(msg);
    }

    private void send(Object msg) {
        lastWrite = inbound.write(msg);
        wroteInBatch = true;
    }

    /** A chunk that goes to the client as it is (with the rest of this read batch's). */
    void writeContent(HttpContent c) {
        responseBytes += c.content().readableBytes();
        gather(c.content());
    }

    /** Takes {@code buf} into this batch's chunk. */
    private void gather(ByteBuf buf) {
        if (!buf.isReadable()) {
            buf.release();
            return;
        }
        if (batch == null) {
            batch = inbound.alloc().compositeBuffer(MAX_BATCH_PIECES);
        }
        batch.addComponent(true, buf);
        if (batch.numComponents() == MAX_BATCH_PIECES) {
            writeBatch();
        }
    }

    /** Writes the bytes gathered so far as one chunk. */
    private void writeBatch() {
        CompositeByteBuf b = batch;
        if (b != null) {
            batch = null;
            send(new DefaultHttpContent(b));
        }
    }

    /** A plain body's chunk: the previous one goes out, this one waits for the next (or for the end). */
    void writeBehind(HttpContent c) {
        responseBytes += c.content().readableBytes();
        HttpContent previous = behind;
        behind = c;
        if (previous != null) {
            write(previous);
        }
    }

    /** While set, bytes handed to {@link #forward} are held instead (the chunk with the end is being read). */
    void holdingAll(boolean v) {
        holdingAll = v;
    }

    @Override
    public void forward(ByteBuf buf) {
        if (holdingAll) {
            hold(buf);
            return;
        }
        responseBytes += buf.readableBytes();
        gather(buf);
    }

    @Override
    public void hold(ByteBuf buf) {
        responseBytes += buf.readableBytes();
        if (held == null) {
            held = inbound.alloc().compositeBuffer();
        }
        held.addComponent(true, buf);
        if (!holdingAll && held.readableBytes() > MAX_HELD_BYTES) {
            // A backend that keeps sending after the end event: let it through rather than buffer without bound.
            write(new DefaultHttpContent(held));
            held = null;
        }
    }

    /** The backend's end of the response: held with whatever else is held. Counts its bytes. */
    void holdEnd(LastHttpContent last) {
        responseBytes += last.content().readableBytes();
        heldLast = last;
    }

    /** The end of a stream whose bytes the filter already handed over: only trailers are kept. */
    void holdEndOfStream(LastHttpContent last) {
        heldLast = last.trailingHeaders().isEmpty()
                ? LastHttpContent.EMPTY_LAST_CONTENT
                : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, last.trailingHeaders());
    }

    /** Sends what was written in this batch. */
    void flush() {
        writeBatch();
        if (wroteInBatch) {
            wroteInBatch = false;
            inbound.flush();
        }
    }

    /**
     * Reads more from the backend once the client took what was written; otherwise when it does (and
     * {@code stillRelaying} is true then). A failed write closes the client connection, whose close
     * ends the exchange.
     */
    void requestMore(Runnable read, BooleanSupplier stillRelaying, Runnable waitingOnClient) {
        ChannelFuture w = lastWrite;
        if (w == null || w.isSuccess()) {
            lastWrite = null;
            read.run();
        } else if (w.isDone()) {
            inbound.close();
        } else if (!resumeArmed) {
            resumeArmed = true;
            waitingOnClient.run();
            w.addListener((ChannelFutureListener) f -> {
                resumeArmed = false;
                if (stillRelaying.getAsBoolean()) {
                    requestMore(read, stillRelaying, waitingOnClient);
                }
            });
        }
    }

    /** The usage is journaled: what was held goes out, and the response ends, in one flush. */
    void release() {
        writeBatch();
        if (held != null) {
            inbound.write(new DefaultHttpContent(held));
            held = null;
        }
        if (behind != null) {
            inbound.write(behind);
            behind = null;
        }
        LastHttpContent last = heldLast;
        heldLast = null;
        inbound.writeAndFlush(last == null ? LastHttpContent.EMPTY_LAST_CONTENT : last);
    }

    /** Frees everything held (the exchange failed or the client went away); what was forwarded is written. */
    void discard() {
        // What was forwarded is written as it would have been at the flush (a closed channel frees it).
        writeBatch();
        if (held != null) {
            held.release();
            held = null;
        }
        if (behind != null) {
            behind.release();
            behind = null;
        }
        if (heldLast != null) {
            heldLast.release();
            heldLast = null;
        }
    }
}
