package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Weighted rotation, priorities and the choice among open and closed circuits. */
class BackendGroupTest {

    static final BackendTarget A = new BackendTarget(URI.create("http://a:1"), null);
    static final BackendTarget B = new BackendTarget(URI.create("http://b:1"), null);
    static final BackendTarget C = new BackendTarget(URI.create("http://c:1"), null);

    @Test
    void weightsShareOutRequestsSmoothly() {
        BackendGroup g = new BackendGroup(List.of(new Backend(A, 2, 0, null), new Backend(B, 1, 0, null)),
                HeaderAllowlist.DEFAULT);
        assertThat(g.rotations()).hasDimensions(1, 3);
        assertThat(Arrays.stream(g.rotations()[0]).boxed().toList()).containsExactly(0, 1, 0);
    }

    @Test
    void prioritiesMakeTiersLowestFirst() {
        BackendGroup g = new BackendGroup(List.of(new Backend(A, 1, 5, null), new Backend(B, 1, 0, null),
                new Backend(C, 1, 5, null)), HeaderAllowlist.DEFAULT);
        assertThat(g.rotations()).hasNumberOfRows(2);
        assertThat(g.rotations()[0]).containsExactly(1);
        assertThat(g.rotations()[1]).containsExactly(0, 2);
    }

    @Test
    void theSelectorSkipsTriedAndOpenBackendsAndSaysWhyNoneIsLeft() {
        BackendHealth health = new BackendHealth(ProxyConfig.DEFAULTS.withRetries(3, 1, Duration.ofMinutes(1)),
                Clock.systemUTC());
        BackendGroup g = new BackendGroup(List.of(Backend.of(A), Backend.of(B)), HeaderAllowlist.DEFAULT);
        var first = (BackendSelector.Chosen) BackendSelector.choose(g, 0, 0, health);
        assertThat(first.backend().target()).isEqualTo(A);
        first.breaker().onError(1, java.util.concurrent.TimeUnit.MILLISECONDS, new RuntimeException("down"));
        assertThat(health.state(A.name())).isEqualTo("open");
        var second = (BackendSelector.Chosen) BackendSelector.choose(g, 0, 0, health);
        assertThat(second.backend().target()).as("A is open").isEqualTo(B);
        second.breaker().releasePermission();
        assertThat(BackendSelector.choose(g, 0b10, 0, health)).isInstanceOf(BackendSelector.AllOpen.class);
        assertThat(BackendSelector.choose(g, 0b11, 0, health)).isInstanceOf(BackendSelector.Exhausted.class);
        assertThat(health.states()).extracting(BackendHealth.State::state).containsExactly("open", "closed");
    }

    @Test
    void anOutcomeThatArrivesAfterTheCircuitOpenedIsAcceptedQuietly() {
        // Two requests go to A; the first fails and opens the circuit (threshold 1); the second,
        // sent before, times out only now: recording it must neither throw nor close the circuit.
        BackendHealth health = new BackendHealth(ProxyConfig.DEFAULTS.withRetries(3, 1, Duration.ofMinutes(1)),
                Clock.systemUTC());
        BackendGroup g = new BackendGroup(List.of(Backend.of(A), Backend.of(B)), HeaderAllowlist.DEFAULT);
        var first = (BackendSelector.Chosen) BackendSelector.choose(g, 0, 0, health);
        var second = (BackendSelector.Chosen) BackendSelector.choose(g, 0, 0, health);
        assertThat(second.backend().target()).isEqualTo(A);
        first.breaker().onError(1, java.util.concurrent.TimeUnit.MILLISECONDS, new RuntimeException("down"));
        assertThat(health.state(A.name())).isEqualTo("open");
        second.breaker().onError(1, java.util.concurrent.TimeUnit.MILLISECONDS, new RuntimeException("timed out"));
        second.breaker().onSuccess(1, java.util.concurrent.TimeUnit.MILLISECONDS);
        assertThat(health.state(A.name())).isEqualTo("open");
    }

    @Test
    void modelsThatShareABackendShareItsBreakerWhateverTargetObjectNamesIt() {
        // Two models' configs name the same backend: equal targets, a trailing slash, another upstream
        // key. One breaker, known by the backend's name, however the lookup is made.
        BackendHealth health = new BackendHealth(ProxyConfig.DEFAULTS.withRetries(3, 1, Duration.ofMinutes(1)),
                Clock.systemUTC());
        BackendTarget same = new BackendTarget(URI.create("http://a:1"), null);
        BackendTarget slash = new BackendTarget(URI.create("http://a:1/"), "other-upstream-key");
        assertThat(same).isEqualTo(A).hasSameHashCodeAs(A).isNotSameAs(A);
        assertThat(new BackendTarget(URI.create("http://a:1"), "k")).isNotEqualTo(A)
                .hasSameHashCodeAs(new BackendTarget(URI.create("http://a:1"), "k"));
        assertThat(health.breaker(A).tryAcquirePermission()).isTrue();
        health.breaker(A).onError(1, java.util.concurrent.TimeUnit.MILLISECONDS, new RuntimeException("down"));
        assertThat(health.breaker(same)).isSameAs(health.breaker(A));
        assertThat(health.breaker(slash)).isSameAs(health.breaker(A));
        assertThat(health.breaker(slash).getState().name()).isEqualTo("OPEN");
        assertThat(health.breaker(B)).isNotSameAs(health.breaker(A));
        assertThat(health.states()).extracting(BackendHealth.State::backend).containsExactly("http://a:1", "http://b:1");
    }

    @Test
    void aGroupNeedsBackends() {
        assertThatThrownBy(() -> new BackendGroup(List.of(), HeaderAllowlist.DEFAULT))
                .hasMessage("backends: [] (expected: at least one backend)");
        assertThatThrownBy(() -> new Backend(A, 0, 0, null)).hasMessage("weight: 0 (expected: 1..100)");
    }
}
