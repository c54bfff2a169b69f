package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The three deadlines on one timer, with fake time. */
class DeadlinesTest {

    static final ProxyConfig CONFIG = new ProxyConfig(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5),
            Duration.ofSeconds(60), 4, Duration.ofSeconds(30), 1 << 20);

    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel loop = EmbeddedChannel.builder().ticker(ticker)
            .handlers(new ChannelInboundHandlerAdapter()).build();
    private final List<Deadlines.Expired> fired = new ArrayList<>();
    private Deadlines deadlines;

    private Deadlines deadlines() {
        deadlines = new Deadlines(loop.eventLoop(), ticker, CONFIG, () -> {
            Deadlines.Expired e = deadlines.expired();
            if (e != null) {
                fired.add(e);
            }
        });
        return deadlines;
    }

    private void advance(Duration d) {
        ticker.advance(d.toNanos(), TimeUnit.NANOSECONDS);
        loop.runScheduledPendingTasks();
    }

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    @Test
    void theFirstByteDeadlineRunsFromTheSendOfEachAttempt() {
        Deadlines d = deadlines();
        d.start();
        advance(Duration.ofSeconds(3));
        d.awaitingHeaders(d.now());
        advance(Duration.ofSeconds(9));
        assertThat(fired).isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(fired).containsExactly(Deadlines.Expired.FIRST_BYTE);
        assertThat(d.timeLeft()).isTrue();
    }

    @Test
    void idlenessCountsOnlyWhileAReadOfTheBackendIsOutstanding() {
        Deadlines d = deadlines();
        d.start();
        d.awaitingHeaders(d.now());
        d.headersArrived();
        d.awaitingBackend(false);
        advance(Duration.ofSeconds(20));
        assertThat(fired).as("waiting on the client is not backend silence").isEmpty();
        d.awaitingBackend(true);
        advance(Duration.ofSeconds(4));
        d.activity();
        advance(Duration.ofSeconds(4));
        assertThat(fired).as("each chunk restarts the idle clock").isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(fired).containsExactly(Deadlines.Expired.IDLE);
    }

    @Test
    void theTotalDeadlineEndsEverythingAndLeavesNoTimerOnceCancelled() {
        Deadlines d = deadlines();
        d.start();
        d.headersArrived();
        for (int i = 0; i < 14; i++) {
            d.awaitingBackend(true);
            advance(Duration.ofSeconds(4));
            d.activity();
        }
        assertThat(fired).isEmpty();
        advance(Duration.ofSeconds(4));
        assertThat(fired).containsExactly(Deadlines.Expired.TOTAL);
        assertThat(d.timeLeft()).isFalse();
        d.cancel();
        assertThat(loop.runScheduledPendingTasks()).isEqualTo(-1);
    }

    @Test
    void oneTimerServesEveryDeadline() {
        Deadlines d = deadlines();
        d.start();
        d.awaitingHeaders(d.now());
        d.notAwaitingHeaders();
        d.awaitingHeaders(d.now());
        advance(Duration.ofSeconds(10));
        assertThat(fired).containsExactly(Deadlines.Expired.FIRST_BYTE);
        d.cancel();
        assertThat(loop.runScheduledPendingTasks()).isEqualTo(-1);
    }
}
