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

    @Override
    public void requestCompleted(String product, int status, String tier, long totalNanos, long upstreamNanos) {
        completed.add(new Completed(product, status, tier, totalNanos, upstreamNanos));
    }

    @Override
    public void rejected(ErrorCode reason) {
        rejected.add(reason);
    }

    public List<Completed> completed() {
        return List.copyOf(completed);
    }

    public List<ErrorCode> rejected() {
        return List.copyOf(rejected);
    }
}
