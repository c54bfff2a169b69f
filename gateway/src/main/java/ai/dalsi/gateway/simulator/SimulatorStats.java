package ai.dalsi.gateway.simulator;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of a {@link SimulatedBackend}, for tests and for the load test's sanity checks.
 * Reads are safe from any thread; the counters only grow (except open connections).
 */
public final class SimulatorStats {

    private final Map<Endpoint, LongAdder> requestsByEndpoint = new EnumMap<>(Endpoint.class);
    // An AtomicLong rather than an adder: its value numbers the requests for error injection.
    private final AtomicLong requests = new AtomicLong();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final LongAdder streamsCompleted = new LongAdder();
    private final LongAdder streamsCancelled = new LongAdder();
    private final LongAdder errorResponses = new LongAdder();
    private volatile RecordedRequest lastRequest;

    SimulatorStats() {
        for (Endpoint e : Endpoint.values()) {
            requestsByEndpoint.put(e, new LongAdder());
        }
    }

    /** Requests received, all paths together. */
    public long totalRequests() {
        return requests.get();
    }

    /**
     * Requests received for one path, e.g. {@code /v1/chat/completions}; {@code /v1/models/{id}},
     * {@code /images/{name}} and {@code other} (every unknown path) are counted as one path each.
     */
    public long requests(String path) {
        for (Endpoint e : Endpoint.values()) {
            if (e.path().equals(path)) {
                return requestsByEndpoint.get(e).sum();
            }
        }
        throw new IllegalArgumentException("not a path the simulator counts: " + path);
    }

    /** Requests received by path, the paths with none left out. */
    public Map<String, Long> requestsByPath() {
        Map<String, Long> out = new LinkedHashMap<>();
        requestsByEndpoint.forEach((e, n) -> {
            long v = n.sum();
            if (v > 0) {
                out.put(e.path(), v);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** Client connections open now. */
    public int openConnections() {
        return openConnections.get();
    }

    /** Streams sent to their end ({@code data: [DONE]}). */
    public long streamsCompleted() {
        return streamsCompleted.sum();
    }

    /** Streams the client went away from before their end. */
    public long streamsCancelled() {
        return streamsCancelled.sum();
    }

    /** Answers with a 4xx or 5xx status: bad requests, unknown paths, injected and forced errors. */
    public long errorResponses() {
        return errorResponses.sum();
    }

    /** The most recently received request, if any. */
    public Optional<RecordedRequest> lastRequest() {
        return Optional.ofNullable(lastRequest);
    }

    /** Counts a request and returns its number (1, 2, ...). */
    long received(Endpoint endpoint, RecordedRequest request) {
        requestsByEndpoint.get(endpoint).increment();
        lastRequest = request;
        return requests.incrementAndGet();
    }

    void connectionOpened() {
        openConnections.incrementAndGet();
    }

    void connectionClosed() {
        openConnections.decrementAndGet();
    }

    void streamCompleted() {
        streamsCompleted.increment();
    }

    void streamCancelled() {
        streamsCancelled.increment();
    }

    void errorResponse() {
        errorResponses.increment();
    }

    @Override
    public String toString() {
        return "SimulatorStats[requests=" + requestsByPath() + ", openConnections=" + openConnections()
                + ", streamsCompleted=" + streamsCompleted() + ", streamsCancelled=" + streamsCancelled()
                + ", errorResponses=" + errorResponses() + "]";
    }
}
