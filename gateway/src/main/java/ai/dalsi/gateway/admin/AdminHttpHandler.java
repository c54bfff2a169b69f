package ai.dalsi.gateway.admin;

import ai.dalsi.persistence.UuidV7;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each aggregated admin request to the worker executor and writes the answer back on the
 * channel's event loop. The request is copied off its buffer first (and the buffer released by
 * {@link SimpleChannelInboundHandler}), so no {@code ByteBuf} leaves the loop. Reading pauses while
 * a request is being served, which keeps answers in request order on a keep-alive connection.
 */
final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHttpHandler.class);

    private final AdminDispatcher dispatcher;
    private final Executor workers;

    AdminHttpHandler(AdminDispatcher dispatcher, Executor workers) {
        this.dispatcher = dispatcher;
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        String requestId = UuidV7.at(System.currentTimeMillis()).toString();
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        if (msg.decoderResult().isFailure()) {
            write(ctx, AdminResponse.error(400, "malformed HTTP request", null), requestId, false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(msg.uri());
        AdminRequest request = new AdminRequest(
                requestId,
                msg.method().name(),
                uri.path(),
                uri.parameters(),
                msg.headers().get(HttpHeaderNames.AUTHORIZATION),
                msg.headers().get(HttpHeaderNames.USER_AGENT),
                clientIp(ctx),
                ByteBufUtil.getBytes(msg.content()),
                Map.of(),
                null);
        ctx.channel().config().setAutoRead(false);
        try {
            workers.execute(() -> {
                AdminResponse response = dispatcher.dispatch(request);
                ctx.channel().eventLoop().execute(() -> write(ctx, response, requestId, keepAlive));
            });
        } catch (RejectedExecutionException e) {
            write(ctx, AdminResponse.error(503, "admin API busy, retry shortly", null)
                    .withHeader("Retry-After", "1"), requestId, keepAlive);
        }
    }

    private static void write(ChannelHandlerContext ctx, AdminResponse r, String requestId, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                .set("x-request-id", requestId)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        r.headers().forEach(response.headers()::set);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    f.channel().config().setAutoRead(true);
                } else {
                    f.channel().close();
                }
            });
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String clientIp(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
            String ip = a.getAddress().getHostAddress();
            int scope = ip.indexOf('%');
            return scope < 0 ? ip : ip.substring(0, scope);
        }
        return null;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
