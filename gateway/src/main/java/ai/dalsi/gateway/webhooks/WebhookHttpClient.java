package ai.dalsi.gateway.webhooks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * One webhook POST per connection, on Netty with an event loop of its own (never the edge's):
 * connects to the address {@link WebhookTargets} checked, not to the name again, and presents the
 * name in the Host header and, over TLS, as the server name the certificate must match (Netty
 * verifies the host name for clients). Only the status line of the answer is read; redirects are
 * not followed (a 3xx is a failed attempt), so a receiver cannot send the request on to another
 * address. {@link #post} blocks the calling thread, a sender worker.
 */
final class WebhookHttpClient implements AutoCloseable {

    static final String USER_AGENT = "Dalsi-Webhooks/1.0";

    /** How an attempt ended on the wire. */
    sealed interface Result permits Answered, Failed {
    }

    /** The receiver answered with this status. */
    record Answered(int status) implements Result {
    }

    /** No answer; {@code timeout} tells a timeout from a broken connection. */
    record Failed(boolean timeout, String message) implements Result {
    }

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final EventLoopGroup group;
    private final SslContext tls;

    WebhookHttpClient(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("webhook-io", true),
                NioIoHandler.newFactory());
        try {
            this.tls = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for webhooks: " + e.getMessage(), e);
        }
    }

    /** POSTs {@code body} to the target and waits for the status line, the connect or the read timeout. */
    Result post(WebhookTargets.Reachable target, Map<String, String> headers, byte[] body) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (target.tls()) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), target.host(), target.port()));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), new StatusLineHandler(result));
                    }
                });
        ChannelFuture connect = bootstrap.connect(target.address());
        Channel channel = connect.channel();
        connect.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                result.complete(failure(f.cause()));
                return;
            }
            f.channel().writeAndFlush(request(target, headers, body)).addListener((ChannelFutureListener) w -> {
                if (!w.isSuccess()) {
                    result.complete(failure(w.cause()));
                    return;
                }
                var timeout = w.channel().eventLoop().schedule(() -> result.complete(new Failed(true,
                        "no response within " + readTimeout.toMillis() + " ms")), readTimeout.toMillis(),
                        TimeUnit.MILLISECONDS);
                result.whenComplete((r, e) -> timeout.cancel(false));
            });
        });
        try {
            // The timeouts above always end it; this bound only guards against a lost callback.
            return result.get(connectTimeout.plus(readTimeout).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Failed(false, "interrupted (the node is stopping)");
        } catch (ExecutionException | TimeoutException e) {
            return new Failed(true, "no result in time");
        } finally {
            channel.close();
        }
    }

    private static FullHttpRequest request(WebhookTargets.Reachable target, Map<String, String> headers, byte[] body) {
        String path = target.uri().getRawPath() == null || target.uri().getRawPath().isEmpty()
                ? "/" : target.uri().getRawPath();
        if (target.uri().getRawQuery() != null) {
            path += "?" + target.uri().getRawQuery();
        }
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                Unpooled.wrappedBuffer(body));
        int defaultPort = target.tls() ? 443 : 80;
        String host = target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host();
        request.headers()
                .set(HttpHeaderNames.HOST, target.port() == defaultPort ? host : host + ":" + target.port())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        headers.forEach(request.headers()::set);
        return request;
    }

    private static Failed failure(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && !(t instanceof SSLException) && t.getMessage() == null) {
            t = t.getCause();
        }
        boolean timeout = t instanceof ConnectTimeoutException;
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof SSLException || cause.getCause() instanceof SSLException) {
            Throwable ssl = t instanceof SSLException ? t : cause.getCause();
            message = "TLS: " + (ssl.getMessage() == null ? ssl.getClass().getSimpleName() : ssl.getMessage());
        }
        return new Failed(timeout, oneLine(message));
    }

    static String oneLine(String s) {
        String line = s.replaceAll("\\s+", " ").strip();
        return line.length() > 300 ? line.substring(0, 300) : line;
    }

    /** Completes with the response's status as soon as its status line arrives. */
    private static final class StatusLineHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final CompletableFuture<Result> result;

        StatusLineHandler(CompletableFuture<Result> result) {
            this.result = result;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                if (r.decoderResult().isFailure()) {
                    result.complete(new Failed(false, "not an HTTP response: " + oneLine(
                            String.valueOf(r.decoderResult().cause().getMessage()))));
                } else {
                    result.complete(new Answered(r.status().code()));
                }
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.complete(failure(cause));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.complete(new Failed(false, "connection closed before a response"));
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
