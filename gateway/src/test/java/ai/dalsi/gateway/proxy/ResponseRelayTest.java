package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.NettyLeakExtension;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Backpressure and the held end, on their own. */
@ExtendWith(NettyLeakExtension.class)
class ResponseRelayTest {

    /** Holds writes until released, as a client that does not read. */
    static final class Held extends ChannelOutboundHandlerAdapter {
        final List<Object> messages = new ArrayList<>();
        final List<ChannelPromise> promises = new ArrayList<>();
        ChannelHandlerContext ctx;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            this.ctx = ctx;
            messages.add(msg);
            promises.add(promise);
        }

        void drain() {
            for (int i = 0; i < messages.size(); i++) {
                ctx.write(messages.get(i), promises.get(i));
            }
            messages.clear();
            promises.clear();
            ctx.flush();
        }
    }

    private static DefaultHttpContent content(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    @Test
    void theBackendIsReadAgainOnlyOnceTheClientTookTheLastWrite() {
        Held held = new Held();
        EmbeddedChannel client = new EmbeddedChannel(held, new ChannelInboundHandlerAdapter());
        ResponseRelay relay = new ResponseRelay(client);
        AtomicInteger reads = new AtomicInteger();
        AtomicBoolean waiting = new AtomicBoolean();
        relay.writeContent(content("one"));
        relay.flush();
        relay.requestMore(reads::incrementAndGet, () -> true, () -> waiting.set(true));
        assertThat(reads).as("the write is pending").hasValue(0);
        assertThat(waiting).as("waiting on the client, not on the backend").isTrue();
        held.drain();
        assertThat(reads).hasValue(1);
        assertThat(relay.responseBytes()).isEqualTo(3);
        client.finishAndReleaseAll();
    }

    @Test
    void theEndAndTheLastChunkWaitForReleaseAndGoOutInOneFlush() {
        AtomicInteger flushes = new AtomicInteger();
        EmbeddedChannel client = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes.incrementAndGet();
                ctx.flush();
            }
        }, new ChannelInboundHandlerAdapter());
        ResponseRelay relay = new ResponseRelay(client);
        relay.writeBehind(content("a"));
        relay.writeBehind(content("b"));
        relay.holdEnd(new DefaultLastHttpContent(Unpooled.copiedBuffer("c", StandardCharsets.UTF_8)));
        relay.flush();
        assertThat(text(client)).isEqualTo("a");
        relay.release();
        assertThat(flushes).hasValue(2);
        List<Object> end = drain(client);
        assertThat(end).hasSize(2);
        assertThat(((DefaultHttpContent) end.get(0)).content().toString(StandardCharsets.UTF_8)).isEqualTo("b");
        assertThat(end.get(1)).isInstanceOf(LastHttpContent.class);
        end.forEach(io.netty.util.ReferenceCountUtil::release);
        assertThat(relay.responseBytes()).isEqualTo(3);
        client.finishAndReleaseAll();
    }

    @Test
    void discardFreesWhatIsHeld() {
        EmbeddedChannel client = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ResponseRelay relay = new ResponseRelay(client);
        relay.writeBehind(content("a"));
        relay.hold(Unpooled.copiedBuffer("held", StandardCharsets.UTF_8));
        relay.holdEnd(new DefaultLastHttpContent(Unpooled.copiedBuffer("end", StandardCharsets.UTF_8)));
        relay.discard();
        assertThat(client.finishAndReleaseAll()).isFalse();
    }

    @Test
    void theChunksOfOneReadBatchGoOutAsOneWriteInOrderWithTheOtherWrites() {
        Held held = new Held();
        EmbeddedChannel client = new EmbeddedChannel(held, new ChannelInboundHandlerAdapter());
        ResponseRelay relay = new ResponseRelay(client);
        relay.write(new io.netty.handler.codec.http.DefaultHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpResponseStatus.OK));
        relay.writeContent(content("data: 1\n\n"));
        relay.forward(Unpooled.copiedBuffer("data: 2\n\n", StandardCharsets.UTF_8));
        relay.writeContent(content(""));
        relay.writeContent(content("data: 3\n\n"));
        assertThat(held.messages).as("gathered until the flush").hasSize(1);
        relay.flush();
        assertThat(held.messages).as("the head, then one chunk").hasSize(2);
        assertThat(((DefaultHttpContent) held.messages.get(1)).content().toString(StandardCharsets.UTF_8))
                .isEqualTo("data: 1\n\ndata: 2\n\ndata: 3\n\n");
        AtomicInteger reads = new AtomicInteger();
        relay.requestMore(reads::incrementAndGet, () -> true, () -> { });
        assertThat(reads).as("the batch's write is the one waited for").hasValue(0);
        held.drain();
        assertThat(reads).hasValue(1);

        for (int i = 0; i < ResponseRelay.MAX_BATCH_PIECES + 1; i++) {
            relay.writeContent(content("x"));
        }
        assertThat(held.messages).as("a full batch is written at once").hasSize(1);
        relay.hold(Unpooled.copiedBuffer("[DONE]", StandardCharsets.UTF_8));
        relay.holdEndOfStream(LastHttpContent.EMPTY_LAST_CONTENT);
        relay.release();
        assertThat(held.messages).as("the rest of the batch, then what was held, then the end").hasSize(4);
        assertThat(((DefaultHttpContent) held.messages.get(1)).content().readableBytes()).isEqualTo(1);
        assertThat(((DefaultHttpContent) held.messages.get(2)).content().toString(StandardCharsets.UTF_8)).isEqualTo("[DONE]");
        assertThat(relay.responseBytes()).isEqualTo(27 + ResponseRelay.MAX_BATCH_PIECES + 1 + 6);
        held.drain();
        client.finishAndReleaseAll();
    }

    @Test
    void discardWritesWhatWasForwardedAndFreesWhatIsHeld() {
        EmbeddedChannel client = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ResponseRelay relay = new ResponseRelay(client);
        relay.writeContent(content("sent"));
        relay.hold(Unpooled.copiedBuffer("held", StandardCharsets.UTF_8));
        relay.discard();
        client.flush();
        assertThat(text(client)).isEqualTo("sent");
        assertThat(client.finishAndReleaseAll()).isFalse();
    }

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            out.add(o);
        }
        return out;
    }

    private static String text(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (Object o : drain(ch)) {
            if (o instanceof DefaultHttpContent c) {
                sb.append(c.content().toString(StandardCharsets.UTF_8));
            }
            io.netty.util.ReferenceCountUtil.release(o);
        }
        return sb.toString();
    }
}
