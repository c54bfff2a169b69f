package ai.dalsi.loadtest.gen;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A trivial HTTP/1.1 server for generator tests, on an ephemeral port: answers JSON at once, or an
 * SSE stream in several chunks when the body asks for {@code "stream":true}. Options: refuse keys
 * it does not know (401) and answer 429 for over-limit keys; stall every response for a while once,
 * starting at the n-th request; close the connection after every n-th response; leave out
 * {@code [DONE]} from streams.
 */
final class StubHttpServer implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong stallUntil = new AtomicLong(Long.MIN_VALUE);
    private volatile Set<String> knownKeys;
    private volatile Set<String> overLimitKeys = Set.of();
    private volatile int stallAtRequest = -1;
    private volatile long stallNanos;
    private volatile int closeEvery;
    private volatile boolean omitDone;

    StubHttpServer() throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16), new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
    }

    int requests() {
        return requests.get();
    }

    /** Only these keys get 2xx; over-limit ones 429; everything else 401. */
    StubHttpServer checkKeys(Set<String> known, Set<String> overLimit) {
        this.knownKeys = known;
        this.overLimitKeys = overLimit;
        return this;
    }

    /** From the n-th request on, hold every response until {@code stall} after that request arrived. */
    StubHttpServer stallOnce(int atRequest, long stallMillis) {
        this.stallAtRequest = atRequest;
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallMillis);
        return this;
    }

    StubHttpServer closeEvery(int n) {
        this.closeEvery = n;
        return this;
    }

    StubHttpServer omitDone() {
        this.omitDone = true;
        return this;
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            int n = requests.incrementAndGet();
            long now = System.nanoTime();
            if (n == stallAtRequest) {
                stallUntil.set(now + stallNanos);
            }
            String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION, "");
            String key = auth.startsWith("Bearer ") ? auth.substring(7) : "";
            int status = 200;
            Set<String> known = knownKeys;
            if (known != null) {
                status = known.contains(key) ? 200 : overLimitKeys.contains(key) ? 429 : 401;
            }
            boolean stream = req.content().toString(StandardCharsets.UTF_8).contains("\"stream\":true");
            boolean close = closeEvery > 0 && n % closeEvery == 0;
            int finalStatus = status;
            long until = stallUntil.get();
            long delay = until == Long.MIN_VALUE ? 0 : until - now;
            Runnable respond = () -> respond(ctx, finalStatus, stream && finalStatus == 200, close);
            if (delay > 0) {
                ctx.executor().schedule(respond, delay, TimeUnit.NANOSECONDS);
            } else {
                respond.run();
            }
        }

        private void respond(ChannelHandlerContext ctx, int status, boolean stream, boolean close) {
            if (stream) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
                HttpUtil.setTransferEncodingChunked(head, true);
                if (close) {
                    head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
                ctx.write(head);
                for (String chunk : List.of("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n",
                        "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n", "\n",
                        "data: {\"choices\":[],\"usage\":{\"total_tokens\":5}}\n\n")) {
                    ctx.write(new DefaultHttpContent(ascii(chunk)));
                }
                if (!omitDone) {
                    ctx.write(new DefaultHttpContent(ascii("data: [DONE]\n\n")));
                }
                var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                if (close) {
                    f.addListener(x -> ctx.close());
                }
                return;
            }
            ByteBuf body = ascii(status == 200 ? "{\"id\":\"x\",\"object\":\"chat.completion\"}"
                    : "{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\",\"code\":\"x\"}}");
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), body);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            HttpUtil.setContentLength(res, body.readableBytes());
            if (close) {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(res).addListener(x -> ctx.close());
            } else {
                ctx.writeAndFlush(res);
            }
        }
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }
}
