package ai.dalsi.metering;

import java.util.concurrent.CompletionStage;

/**
 * Where the edge hands every usage event. Implementations never block the caller (an event loop).
 *
 * <p>The contract that makes the ledger exact: the edge releases a response to the client (for a
 * stream: its final chunk) only after the stage returned by {@link #accept} completed normally,
 * which means the event is durable (journaled). A stage may be already complete when returned.
 * When it completes exceptionally the event was not taken (see {@link #accepting()}) and the edge
 * answers 503 instead of the response.
 */
public interface UsageSink {

    /** Takes one event; the stage completes when the event is durable. */
    CompletionStage<Void> accept(UsageEvent event);

    /**
     * Whether new events can be taken now. False when the durable store is full or closed: the edge
     * then refuses new work with 503 rather than serve requests it could not meter.
     */
    default boolean accepting() {
        return true;
    }
}
