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
