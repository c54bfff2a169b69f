package ai.dalsi.gateway.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable model backend on a real socket, for what WireMock cannot do: hold a stream open
 * until the test says so, push a response as fast as TCP takes it, and count connections opened
 * and closed.
 */
final class TestBackend implements AutoCloseable {

    /** What the backend does with one request, on its event loop. */
    @FunctionalInterface
    interface Script {
        void respond(ChannelHandlerContext ctx, FullHttpRequest request);
    }

    /** A request as the backend received it. */
    record Received(String method, String uri, HttpHeaders headers, String body) {
    }

    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile Script script;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    TestBackend(Script script) throws InterruptedException {
        this.script = script;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        opened.incrementAndGet();
                        ch.closeFuture().addListener(f -> closed.incrementAndGet());
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        received.add(new Received(req.method().name(), req.uri(), req.headers().copy(),
                                                req.content().toString(StandardCharsets.UTF_8)));
                                        TestBackend.this.script.respond(ctx, req);
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    BackendTarget target(String apiKey) {
        return new BackendTarget(URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort()), apiKey);
    }

    static HttpResponse headers(String contentType, boolean chunked) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (chunked) {
            r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return r;
    }

    static DefaultHttpContent text(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    /** Writes a chunked body of {@code total} bytes as fast as the connection takes it; counts what it wrote. */
    static final class Firehose extends ChannelInboundHandlerAdapter {
        private final long total;
        final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        volatile boolean blocked;
        private ChannelHandlerContext ctx;

        Firehose(long total) {
            this.total = total;
        }

        void start(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            ctx.pipeline().addLast(this);
            ctx.write(headers("application/octet-stream", true));
            pump();
        }

        private void pump() {
            while (ctx.channel().isWritable() && written.get() < total) {
                int n = (int) Math.min(64 * 1024, total - written.get());
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[n])));
                written.addAndGet(n);
            }
            if (written.get() >= total) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else {
                blocked = true;
                ctx.flush();
            }
        }

        /** Blocked: the connection takes no more and the body is not all written. */
        boolean stalled() {
            return blocked && ctx != null && !ctx.channel().isWritable() && written.get() < total;
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ignored) {
            if (ctx != null && ctx.channel().isWritable() && written.get() < total) {
                pump();
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
