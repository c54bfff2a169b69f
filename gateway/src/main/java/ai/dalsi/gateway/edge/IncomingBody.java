package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A request's body, from the end of its head to its last byte. The body is not read until the
 * request path asks for it ({@link ReadBodyStep}, after the key was checked): until then the
 * connection does not read (the few bytes that came with the head wait here), so a client without
 * a valid key is answered before its body costs memory. Asked for, the body first reserves its
 * declared length in the {@link BodyBudget} (or is shed with 503), then is gathered into one
 * buffer that gives the reservation back when it is freed, wherever that happens. A body that
 * ends badly (too large, over the budget as it grows, undecodable, too slow) completes the wait
 * with the refusal; what arrives after the exchange ended is dropped. Confined to the
 * connection's event loop; the sequencer feeds it, in order.
 */
final class IncomingBody {

    static final StepResult.Refusal SHED = StepResult.Refusal.of(ErrorCode.SERVICE_UNAVAILABLE,
            "The server is receiving too many request bodies right now; please retry shortly.");
    static final StepResult.Refusal TIMED_OUT = StepResult.Refusal.of(ErrorCode.REQUEST_TIMEOUT,
            "The request body did not arrive in time.");

    private enum State { HELD, READING, ENDED }

    /** The declared length ({@code Content-Length}), or -1 when not known ahead (chunked). */
    final long declared;
    private final ByteBufAllocator alloc;
    /** Lets the connection read again (and answers {@code Expect: 100-continue}). */
    private final Runnable demand;
    private final CompletableFuture<StepResult> arrived = new CompletableFuture<>();
    private final ArrayDeque<HttpContent> early = new ArrayDeque<>(2);
    private State state = State.HELD;
    private Exchange owner;
    private int max;
    private BudgetedBody parts;
    private BodyBudget.Lease lease;
    private long received;
    private boolean complete;
    private boolean shed;
    private boolean timedOut;

    IncomingBody(long declared, ByteBufAllocator alloc, Runnable demand) {
        this.declared = declared;
        this.alloc = alloc;
        this.demand = demand;
    }

    /**
     * The path asks for the body: the result at once when it is already decided (no room in the
     * budget, too large, or arrived in full), otherwise a wait for its last byte.
     */
    StepResult start(Exchange ex, BodyBudget budget, InetAddress address, int maxBodyBytes) {
        if (state != State.HELD) {
            // Ended before it was asked for (its deadline passed while the key was loading).
            return arrived.getNow(timedOut ? TIMED_OUT : SHED);
        }
        owner = ex;
        max = maxBodyBytes;
        if (declared > max) {
            ex.markOversized();
            end(Learned.NOTHING);
            return Learned.NOTHING;
        }
        lease = budget.tryReserve(address, declared >= 0 ? declared : received);
        if (lease == null) {
            shed = true;
            end(SHED);
            return SHED;
        }
        parts = new BudgetedBody(alloc, lease);
        state = State.READING;
        HttpContent c;
        while (state == State.READING && (c = early.poll()) != null) {
            append(c);
        }
        if (state == State.ENDED) {
            return arrived.join();
        }
        demand.run();
        return new StepResult.Pending(arrived);
    }

    /** The next piece of the body, in order; this takes it over. */
    void offer(HttpContent c) {
        received += c.content().readableBytes();
        if (c instanceof LastHttpContent) {
            complete = true;
        }
        switch (state) {
            case HELD -> early.add(c);
            case READING -> append(c);
            case ENDED -> c.release();
        }
    }

    private void append(HttpContent c) {
        try {
            if (c.decoderResult().isFailure()) {
                owner.failedDecoding(c.decoderResult().cause());
                end(ContextStep.NOT_HTTP);
                return;
            }
            if (received > max) {
                owner.markOversized();
                end(Learned.NOTHING);
                return;
            }
            if (received > lease.bytes() && !lease.grow(received - lease.bytes())) {
                shed = true;
                end(SHED);
                return;
            }
            if (c.content().isReadable()) {
                parts.addComponent(true, c.content().retain());
            }
        } finally {
            c.release();
        }
        if (complete) {
            BudgetedBody body = parts;
            parts = null;
            state = State.ENDED;
            owner.attachBody(body);
            arrived.complete(Learned.NOTHING);
        }
    }

    /** Its deadline passed: the wait ends in 408 (the connection closes after the answer). */
    void timeOut() {
        if (state != State.ENDED) {
            timedOut = true;
            end(TIMED_OUT);
        }
    }

    /** The exchange ended or the connection closed: frees what is held; the rest is dropped as it comes. */
    void abandon() {
        if (state != State.ENDED) {
            state = State.ENDED;
            free();
        }
    }

    private void end(StepResult result) {
        state = State.ENDED;
        free();
        arrived.complete(result);
    }

    private void free() {
        HttpContent c;
        while ((c = early.poll()) != null) {
            c.release();
        }
        if (parts != null) {
            parts.release();
            parts = null;
        }
        if (lease != null) {
            lease.release();
        }
    }

    /** Not asked for yet: the connection does not read. */
    boolean held() {
        return state == State.HELD;
    }

    /** The last byte arrived (whether kept or dropped). */
    boolean complete() {
        return complete;
    }

    /** Bytes still to come: the declared rest, or {@link Long#MAX_VALUE} when not known. */
    long remaining() {
        if (complete) {
            return 0;
        }
        return declared >= 0 ? Math.max(0, declared - received) : Long.MAX_VALUE;
    }

    /** Whether the body was shed for want of room in the budget (its answer carries {@code retry-after}). */
    boolean shed() {
        return shed;
    }

    boolean timedOut() {
        return timedOut;
    }

    /** The gathered body: gives its reservation back when freed (by the proxy, a refusal or a rewrite). */
    private static final class BudgetedBody extends CompositeByteBuf {
        private final BodyBudget.Lease lease;

        BudgetedBody(ByteBufAllocator alloc, BodyBudget.Lease lease) {
            super(alloc, true, 1024);
            this.lease = lease;
        }

        @Override
        protected void deallocate() {
            try {
                super.deallocate();
            } finally {
                lease.release();
            }
        }
    }
}
