package ai.dalsi.gateway.testing;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.metrics.EdgeMetrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@link EdgeMetrics} that remembers every call, for assertions. */
public final class RecordingEdgeMetrics implements EdgeMetrics {

    /** One {@link #requestCompleted} call. */
    public record Completed(String product, int status, String tier, long totalNanos, long upstreamNanos) {
    }

    private final List<Completed> completed = new CopyOnWriteArrayList<>();
    private final List<ErrorCode> rejected = new CopyOnWriteArrayList<>();
    private final List<String> disconnects = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger connectionsRefused = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void requestCompleted(String product, int status, String tier, long totalNanos, long upstreamNanos) {
        completed.add(new Completed(product, status, tier, totalNanos, upstreamNanos));
    }

    @Override
    public void rejected(ErrorCode reason) {
        rejected.add(reason);
    }

    @Override
    public void clientDisconnected(String phase) {
        disconnects.add(phase);
    }

    @Override
    public void connectionRefused() {
        connectionsRefused.incrementAndGet();
    }

    /** The phases of the client hang-ups counted, in order. */
    public List<String> disconnects() {
        return List.copyOf(disconnects);
    }

    public int connectionsRefused() {
        return connectionsRefused.get();
    }

    public List<Completed> completed() {
        return List.copyOf(completed);
    }

    public List<ErrorCode> rejected() {
        return List.copyOf(rejected);
    }
}
