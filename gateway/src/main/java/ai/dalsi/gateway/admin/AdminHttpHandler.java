package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.error.Echo;
import ai.dalsi.persistence.UuidV7;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns aggregated admin requests into {@link AdminRequest}s for the {@link AdminDispatcher} and
 * writes its answers back, one request at a time per connection and in request order: requests
 * pipelined behind the one being served wait here (copied off their buffers, which
 * {@link SimpleChannelInboundHandler} releases), reading pauses until the queue is empty, and a
 * request that ends the connection ({@code Connection: close}, a malformed or oversized request)
 * is answered in its turn and then closes it. Everything runs on the channel's event loop.
 */
final class AdminHttpHandler extends SimpleChannelInboundHandler<Object> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHttpHandler.class);

    /**
     * A body over {@code admin.maxRequestBytes}: the aggregator passes this on instead of the
     * request (its body dropped), to be answered with the admin API's JSON 413 in its turn.
     */
    record Oversized(int maxBytes, boolean keepAlive) {
    }

    /** A request waiting its turn: to dispatch, or answered already ({@code answer} set). */
    private record Pending(String requestId, AdminRequest request, AdminResponse answer, boolean keepAlive) {
    }

    private final AdminDispatcher dispatcher;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean serving;
    private boolean closing;

    AdminHttpHandler(AdminDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            return; // a request after one that ends the connection is never answered
        }
        String requestId = UuidV7.at(System.currentTimeMillis()).toString();
        Pending p;
        if (msg instanceof Oversized o) {
            p = new Pending(requestId, null, AdminResponse.error(413, "body: larger than " + o.maxBytes()
                    + " bytes (expected: at most admin.maxRequestBytes)", "body"), o.keepAlive());
        } else if (msg instanceof FullHttpRequest r) {
            p = pending(ctx, r, requestId);
        } else {
            return;
        }
        if (!p.keepAlive()) {
            closing = true;
        }
        waiting.add(p);
        if (!serving) {
            serveNext(ctx);
        }
    }

    private static Pending pending(ChannelHandlerContext ctx, FullHttpRequest msg, String requestId) {
        if (msg.decoderResult().isFailure()) {
            String what = msg.decoderResult().cause() instanceof TooLongFrameException
                    ? "request line or headers too large" : "malformed HTTP request";
            return new Pending(requestId, null, AdminResponse.error(400, what, null), false);
        }
        QueryStringDecoder uri = new QueryStringDecoder(msg.uri());
        HttpHeaders h = msg.headers();
        AdminRequest request = new AdminRequest(
                requestId,
                msg.method().name(),
                uri.path(),
                uri.parameters(),
                new AdminRequest.Headers(h.get(HttpHeaderNames.AUTHORIZATION), h.get(HttpHeaderNames.USER_AGENT),
                        h.get(HttpHeaderNames.HOST), h.get(HttpHeaderNames.ORIGIN), h.get("sec-fetch-site"),
                        h.get(HttpHeaderNames.CONTENT_TYPE)),
                clientIp(ctx),
                ByteBufUtil.getBytes(msg.content()),
                Map.of(),
                null);
        return new Pending(requestId, request, null, HttpUtil.isKeepAlive(msg));
    }

    private void serveNext(ChannelHandlerContext ctx) {
        Pending p = waiting.poll();
        if (p == null) {
            serving = false;
            ctx.channel().config().setAutoRead(true);
            return;
        }
        serving = true;
        ctx.channel().config().setAutoRead(false);
        if (p.answer() != null) {
            write(ctx, p, p.answer());
            return;
        }
        dispatcher.dispatch(p.request()).whenComplete((response, e) -> {
            AdminResponse r = response != null ? response
                    : AdminResponse.error(500, "internal error (request id " + p.requestId() + ")", null);
            if (ctx.executor().inEventLoop()) {
                write(ctx, p, r);
            } else {
                ctx.executor().execute(() -> write(ctx, p, r));
            }
        });
    }

    private void write(ChannelHandlerContext ctx, Pending p, AdminResponse r) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                .set("x-request-id", p.requestId())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        r.headers().forEach(response.headers()::set);
        if (p.keepAlive()) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    serveNext(ctx);
                } else {
                    f.channel().close();
                }
            });
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            waiting.clear();
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
        LOG.debug("admin connection from {} failed: {}", ctx.channel().remoteAddress(),
                Echo.name(String.valueOf(cause)));
        ctx.close();
    }
}
