package ai.dalsi.gateway.proxy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link ExchangeListener} that records every outcome and answers with a stage the test
 * completes when it chooses, to prove the proxy holds the end of a response until then.
 */
final class RecordingListener implements ExchangeListener {

    final List<ProxyOutcome> outcomes = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Void>> stages = new CopyOnWriteArrayList<>();
    /** Whether stages start completed (the journal is instant) or wait for the test. */
    volatile boolean autoComplete = true;

    @Override
    public CompletionStage<Void> completed(ProxyOutcome outcome) {
        outcomes.add(outcome);
        CompletableFuture<Void> stage = new CompletableFuture<>();
        stages.add(stage);
        if (autoComplete) {
            stage.complete(null);
        }
        return stage;
    }

    ProxyOutcome only() {
        if (outcomes.size() != 1) {
            throw new AssertionError("expected exactly one outcome, got " + outcomes);
        }
        return outcomes.get(0);
    }
}
