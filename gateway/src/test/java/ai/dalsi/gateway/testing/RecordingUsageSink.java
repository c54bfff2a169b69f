package ai.dalsi.gateway.testing;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.metering.UsageSink;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link UsageSink} for tests: keeps every event; can be told to stop accepting, to refuse
 * events, or to hold their stages until released (to see that responses wait for the sink).
 */
public final class RecordingUsageSink implements UsageSink {

    private final List<UsageEvent> events = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<Void>> held = new CopyOnWriteArrayList<>();
    private volatile boolean accepting = true;
    private volatile boolean failing;
    private volatile boolean holding;
    private final List<String> callingThreads = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Void> accept(UsageEvent event) {
        callingThreads.add(Thread.currentThread().getName());
        events.add(event);
        if (failing) {
            return CompletableFuture.failedFuture(new IllegalStateException("sink refuses events (test)"));
        }
        if (holding) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean accepting() {
        return accepting;
    }

    public List<UsageEvent> events() {
        return List.copyOf(events);
    }

    /** The one event of this request id; fails unless there is exactly one. */
    public UsageEvent only(String requestId) {
        List<UsageEvent> matching = events.stream().filter(e -> e.requestId().toString().equals(requestId)).toList();
        if (matching.size() != 1) {
            throw new AssertionError(matching.size() + " usage events for request " + requestId + ": " + matching);
        }
        return matching.get(0);
    }

    /** Events of this request id (to prove there is none, or one). */
    public List<UsageEvent> of(String requestId) {
        return events.stream().filter(e -> e.requestId().toString().equals(requestId)).toList();
    }

    public void accepting(boolean v) {
        accepting = v;
    }

    public void failing(boolean v) {
        failing = v;
    }

    /** While true, stages stay pending until {@link #releaseHeld()}. */
    public void holding(boolean v) {
        holding = v;
    }

    public int heldCount() {
        return held.size();
    }

    public void releaseHeld() {
        for (CompletableFuture<Void> f : held) {
            f.complete(null);
        }
        held.clear();
    }

    /** Names of the threads that called {@link #accept}. */
    public List<String> callingThreads() {
        return List.copyOf(callingThreads);
    }

    public void clear() {
        events.clear();
    }
}
