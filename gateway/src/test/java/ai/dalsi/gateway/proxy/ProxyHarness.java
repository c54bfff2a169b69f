package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.ProductKind;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the edge in front of a {@link NettyBackendProxy}, on a real socket: it aggregates
 * a request and forwards it as the edge will after its checks, answering a
 * {@link ProxyOutcome.Unanswered} itself. It deliberately passes the client's headers
 * unfiltered (Authorization included) to prove the proxy never forwards the client's key. One
 * event loop, so every inbound connection shares one backend pool.
 */
final class ProxyHarness implements AutoCloseable {

    enum Transport { NIO, EPOLL }

    final NettyBackendProxy proxy;
    final RecordingListener listener = new RecordingListener();
    final List<Channel> inbound = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group;
    private final Channel server;
    private final AtomicLong ids = new AtomicLong();
    volatile BackendTarget target;
    /** The product kind of every request (the edge reads it from the catalog). */
    volatile ProductKind kind = ProductKind.CHAT;
    /** The client headers that go upstream: the defaults and the simulator's. */
    volatile HeaderAllowlist forwardHeaders = HeaderAllowlist.DEFAULT.with(List.of("x-sim-*"));
    /** Whether to add {@code stream_options.include_usage} to stream requests, as the edge does. */
    volatile boolean askForStreamUsage;
    /** Response bytes the proxy wrote to any client that the client's socket has not taken yet, and their peak. */
    final InFlight inFlight = new InFlight();

    /** Sees every write the proxy makes to a client before the codec, and when the socket took it. */
    @io.netty.channel.ChannelHandler.Sharable
    static final class InFlight extends io.netty.channel.ChannelOutboundHandlerAdapter {
        final AtomicLong now = new AtomicLong();
        final AtomicLong peak = new AtomicLong();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
            long n = msg instanceof io.netty.handler.codec.http.HttpContent c ? c.content().readableBytes() : 0;
            if (n > 0 && !promise.isVoid()) {
                peak.accumulateAndGet(now.addAndGet(n), Math::max);
                promise.addListener(f -> now.addAndGet(-n));
            }
            ctx.write(msg, promise);
        }
    }

    ProxyHarness(ProxyConfig config, BackendTarget target, Transport transport) throws InterruptedException {
        this.target = target;
        this.proxy = new NettyBackendProxy(config);
        boolean epoll = transport == Transport.EPOLL;
        this.group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerSocketChannel> serverClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(serverClass)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        inbound.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new EdgeStub(), inFlight);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + path);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Bytes the proxy has written to a client connection that the socket has not taken yet. */
    long pendingToClient(Channel ch) throws Exception {
        return ch.eventLoop().submit(() -> {
            var buffer = ch.unsafe().outboundBuffer();
            return buffer == null ? 0L : buffer.totalPendingWriteBytes();
        }).get();
    }

    private final class EdgeStub extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String body = req.content().toString(StandardCharsets.UTF_8);
            boolean stream = body.contains("\"stream\":true");
            boolean askedForUsage = body.contains("\"include_usage\":true");
            String id = "req-" + ids.incrementAndGet();
            HttpHeaders responseHeaders = new DefaultHttpHeaders().add("x-request-id", id);
            ByteBuf content = req.content().retain();
            if (stream && askForStreamUsage) {
                try {
                    StreamOptions.Rewritten rewritten = StreamOptions.ensureIncludeUsage(content, ctx.alloc());
                    content = rewritten.body();
                    askedForUsage = rewritten.clientAskedForUsage();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            ProxyRequest request = new ProxyRequest(id, req.method(), req.uri(), req.headers(), content,
                    "test-model", stream, askedForUsage, kind,
                    new BackendGroup(List.of(Backend.of(target)), forwardHeaders), responseHeaders);
            proxy.forward(ctx, request, outcome -> {
                var stage = listener.completed(outcome);
                if (outcome instanceof ProxyOutcome.Unanswered unanswered) {
                    ByteBuf json = Unpooled.copiedBuffer("{\"error\":{\"code\":\"" + unanswered.error().code() + "\"}}",
                            StandardCharsets.UTF_8);
                    FullHttpResponse error = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.valueOf(outcome.status()), json);
                    error.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                            .setInt(HttpHeaderNames.CONTENT_LENGTH, json.readableBytes());
                    ctx.writeAndFlush(error);
                    return CompletableFuture.completedFuture(null);
                }
                return stage;
            });
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        proxy.close();
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
