package ai.dalsi.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link BackendConnector} for handler tests: every "connection" is an {@link EmbeddedChannel}
 * with the proxy's real backend pipeline, on the test's fake clock. The test plays the backend by
 * writing raw HTTP response bytes into it and reading the encoded request out of it.
 */
final class EmbeddedBackends implements BackendConnector {

    /** One backend connection and what the test observes of it. */
    static final class Backend {
        final EmbeddedChannel channel;
        final ReadCounter reads;
        final FailWrites failWrites;
        final BackendTarget target;

        Backend(EmbeddedChannel channel, ReadCounter reads, FailWrites failWrites, BackendTarget target) {
            this.channel = channel;
            this.reads = reads;
            this.failWrites = failWrites;
            this.target = target;
        }

        /** The backend sends these bytes (one read batch). */
        void send(String http) {
            channel.writeInbound(Unpooled.copiedBuffer(http, StandardCharsets.UTF_8));
        }

        /** Every request written to this connection so far, decoded. The caller releases them. */
        List<FullHttpRequest> requests() {
            EmbeddedChannel decoder = new EmbeddedChannel(new HttpRequestDecoder(), new HttpObjectAggregator(1 << 20));
            Object out;
            while ((out = channel.readOutbound()) != null) {
                decoder.writeInbound(out);
            }
            List<FullHttpRequest> requests = new ArrayList<>();
            Object in;
            while ((in = decoder.readInbound()) != null) {
                requests.add((FullHttpRequest) in);
            }
            decoder.finishAndReleaseAll();
            return requests;
        }
    }

    /** Counts read requests, the proxy's only way to pull more of a response. */
    static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }

    /** When armed, fails writes as a connection the peer already closed does, and closes. */
    static final class FailWrites extends ChannelOutboundHandlerAdapter {
        boolean armed;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (!armed) {
                ctx.write(msg, promise);
                return;
            }
            ReferenceCountUtil.release(msg);
            promise.setFailure(new ClosedChannelException());
            ctx.close();
        }
    }

    private final MockTicker ticker;
    final List<Backend> opened = new ArrayList<>();
    /** The next connect fails with this, or succeeds when null. */
    Throwable failNextConnect;
    /** Backends (by name) that refuse every connection, as a stopped server does. */
    final java.util.Set<String> refusing = new java.util.HashSet<>();
    /** Connections asked for, refused ones included. */
    int connects;
    boolean closed;

    EmbeddedBackends(MockTicker ticker) {
        this.ticker = ticker;
    }

    @Override
    public ChannelFuture connect(Channel inbound, BackendTarget target, ChannelHandler initializer) {
        ReadCounter reads = new ReadCounter();
        FailWrites failWrites = new FailWrites();
        EmbeddedChannel ch = EmbeddedChannel.builder().ticker(ticker).handlers(failWrites, reads, initializer).build();
        ch.config().setAutoRead(false);
        connects++;
        if (failNextConnect != null || refusing.contains(target.name())) {
            Throwable cause = failNextConnect != null ? failNextConnect
                    : new java.net.ConnectException("Connection refused: " + target.name());
            failNextConnect = null;
            ch.close();
            return ch.newFailedFuture(cause);
        }
        opened.add(new Backend(ch, reads, failWrites, target));
        return ch.newSucceededFuture();
    }

    Backend last() {
        return opened.get(opened.size() - 1);
    }

    /** The latest connection to this backend. */
    Backend last(BackendTarget target) {
        for (int i = opened.size() - 1; i >= 0; i--) {
            if (opened.get(i).target.equals(target)) {
                return opened.get(i);
            }
        }
        throw new AssertionError("no connection to " + target.name());
    }

    /** Connections opened to this backend. */
    long openedTo(BackendTarget target) {
        return opened.stream().filter(b -> b.target.equals(target)).count();
    }

    @Override
    public void close() {
        closed = true;
    }

    static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }
}
