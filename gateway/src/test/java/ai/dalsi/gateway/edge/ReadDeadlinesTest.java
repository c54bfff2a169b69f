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
 * The read deadlines keep one timer per connection and move it: each request is timed from its
 * own first byte (head) and its head (body), however many requests came before it on the
 * connection, and nothing fires between requests.
 */
class ReadDeadlinesTest {

    private final ReadDeadlines deadlines = new ReadDeadlines(Duration.ofSeconds(10), Duration.ofSeconds(30));
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
        advance(9_000); // idle between requests: nothing is timed
        assertThat(events).isEmpty();
        assertThat(deadlines.phase()).isEqualTo(ReadDeadlines.Phase.BETWEEN);

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
}
