package ai.dalsi.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The read deadlines and the idle timeout keep one timer per connection and move it: each request
 * is timed from its own first byte (head) and its head (body), however many requests came before
 * it on the connection; nothing is timed while a request is answered; and the idle timeout runs
 * from the connection's start and from the end of its last answer, until a request begins.
 */
class ReadDeadlinesTest {

    private final ReadDeadlines deadlines = new ReadDeadlines(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));
    private final List<Object> events = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(deadlines, new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }
    });

    ReadDeadlinesTest() {
        channel.freezeTime();
    }

    private void firstByte() {
        channel.writeInbound(Unpooled.copiedBuffer("P", StandardCharsets.US_ASCII));
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void aHeadIsTimedFromItsOwnFirstByteAfterManyRequestsOnTheConnection() {
        for (int i = 0; i < 1000; i++) { // requests with bodies, one after another, a millisecond each
            firstByte();
            deadlines.headRead(true);
            deadlines.bodyRead();
            advance(1);
        }
        assertThat(events).isEmpty();
        advance(9_000); // the last request is being answered: nothing is timed
        assertThat(events).isEmpty();
        assertThat(deadlines.phase()).isEqualTo(ReadDeadlines.Phase.ANSWERING);

        firstByte(); // t = 10 s: a head starts, and trickles
        advance(9_999);
        assertThat(events).as("not before its own deadline").isEmpty();
        advance(1);
        assertThat(events).containsExactly(ReadDeadlines.Expired.HEAD);
    }

    @Test
    void aBodyIsTimedFromItsHeadAndAShorterHeadDeadlineAfterItStillComesInTime() {
        firstByte();
        deadlines.headRead(true); // the body's 30 s start now
        advance(10_000); // the timer set for the head finds the body's deadline ahead and sleeps until it
        assertThat(events).isEmpty();
        advance(1);
        deadlines.bodyRead(); // in time
        firstByte(); // the next head's 10 s end before the 30 s the timer is set for
        advance(9_999);
        assertThat(events).isEmpty();
        advance(1);
        assertThat(events).containsExactly(ReadDeadlines.Expired.HEAD);
    }

    @Test
    void aBodyThatDoesNotComeIsExpiredOnce() {
        firstByte();
        advance(5_000);
        deadlines.headRead(true);
        advance(29_999);
        assertThat(events).isEmpty();
        advance(1);
        assertThat(events).containsExactly(ReadDeadlines.Expired.BODY);
        advance(60_000);
        assertThat(events).hasSize(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aConnectionWithNoRequestIsClosedAfterTheIdleTimeoutFromItsStart() {
        assertThat(deadlines.phase()).isEqualTo(ReadDeadlines.Phase.IDLE);
        advance(59_999);
        assertThat(events).isEmpty();
        advance(1);
        assertThat(events).containsExactly(ReadDeadlines.Expired.IDLE);
        advance(120_000);
        assertThat(events).as("once").hasSize(1);
    }

    @Test
    void theIdleTimeoutRunsFromTheEndOfTheLastAnswerNotFromTheLastRead() {
        firstByte();
        deadlines.headRead(false);
        advance(300_000); // a long answer (a stream): not idle, whatever the idle timeout
        assertThat(events).isEmpty();
        deadlines.idle(); // answered, nothing else in flight
        assertThat(deadlines.phase()).isEqualTo(ReadDeadlines.Phase.IDLE);
        advance(59_999);
        assertThat(events).isEmpty();
        advance(1);
        assertThat(events).containsExactly(ReadDeadlines.Expired.IDLE);
    }

    @Test
    void aRequestThatBeginsStopsTheIdleClockAndItsHeadIsTimedInstead() {
        advance(50_000); // idle since the start
        firstByte();
        assertThat(deadlines.phase()).isEqualTo(ReadDeadlines.Phase.HEAD);
        advance(9_999); // past the idle deadline: the head's own 10 s run
        assertThat(events).isEmpty();
        deadlines.headRead(false);
        advance(120_000);
        assertThat(events).as("nothing is timed while answering").isEmpty();
    }

    @Test
    void theNextRequestAlreadyArrivingKeepsItsHeadDeadlineWhenTheAnswerBeforeItEnds() {
        firstByte();
        deadlines.headRead(false);
        firstByte(); // a pipelined request's first bytes, while the first is answered
        deadlines.idle(); // the first answer ended: not idle, a head is being read
        assertThat(deadlines.phase()).isEqualTo(ReadDeadlines.Phase.HEAD);
        advance(10_000);
        assertThat(events).containsExactly(ReadDeadlines.Expired.HEAD);
    }

    @Test
    void manyRequestsOnABusyConnectionNeverReachTheIdleTimeout() {
        for (int i = 0; i < 600; i++) { // ten minutes of requests, a second apart
            firstByte();
            deadlines.headRead(false);
            deadlines.idle();
            advance(1_000);
        }
        assertThat(events).isEmpty();
        advance(60_000);
        assertThat(events).containsExactly(ReadDeadlines.Expired.IDLE);
    }
}
