package ai.dalsi.gateway.simulator;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests of one connection, one at a time and in order (pipelined requests wait
 * their turn): waits the planned delay on the event loop's timer, then writes the whole answer or
 * hands it to a {@link StreamSession}.
 */
final class SimulatorHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(SimulatorHandler.class);
    private static final AsciiString IMAGE_PNG = AsciiString.cached("image/png");
    /** Pipelined requests beyond this many stop reading from the connection until answered. */
    private static final int MAX_QUEUED = 16;

    private final ReplyPlanner planner;
    private final Bodies bodies;
    private final SimulatorStats stats;
    private final Clock clock;

    /** A pipelined request's reply, waiting for the ones before it. */
    private record Queued(Reply reply, boolean chunked) {
    }

    private final ArrayDeque<Queued> queued = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    /** A reply is being delayed or streamed. */
    private boolean busy;
    private ScheduledFuture<?> delayed;
    private StreamSession stream;
    // The last model echoed on this connection, escaped: a connection usually asks for one model.
    private String lastModel;
    private byte[] lastModelJson;
    private byte[] imageUrlPrefix;

    SimulatorHandler(ReplyPlanner planner, Bodies bodies, SimulatorStats stats, Clock clock) {
        this.planner = planner;
        this.bodies = bodies;
        this.stats = stats;
        this.clock = clock;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (request.decoderResult().isFailure()) {
            request.release();
            // The decoder discards the rest of the connection after a malformed request: close it.
            stats.errorResponse();
            FullHttpResponse response = jsonResponse(HttpResponseStatus.BAD_REQUEST, bodies.error(ctx.alloc(),
                    Reply.Failure.now(HttpResponseStatus.BAD_REQUEST, "invalid_request_error", "invalid_request",
                            null, "The request is not valid HTTP/1.1.")));
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        Reply reply;
        // HTTP/1.0 clients (nginx's default towards upstreams) cannot take a chunked stream.
        boolean chunked = !request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        try {
            reply = planner.plan(request);
        } finally {
            request.release();
        }
        if (busy) {
            queued.add(new Queued(reply, chunked));
            if (queued.size() >= MAX_QUEUED) {
                ctx.channel().config().setAutoRead(false);
            }
        } else {
            begin(reply, chunked);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (stream != null && ctx.channel().isWritable()) {
            stream.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (delayed != null) {
            delayed.cancel(false);
            delayed = null;
        }
        if (stream != null) {
            stream.cancel();
            stream = null;
        }
        queued.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            log.warn("simulated backend: closing a connection after an unexpected error", cause);
        }
        ctx.close();
    }

    private void begin(Reply reply, boolean chunked) {
        busy = true;
        long delay = reply.delayNanos();
        if (delay > 0) {
            delayed = ctx.executor().schedule(() -> {
                delayed = null;
                answer(reply, chunked);
            }, delay, TimeUnit.NANOSECONDS);
        } else {
            answer(reply, chunked);
        }
    }

    private void answer(Reply reply, boolean chunked) {
        if (!ctx.channel().isActive()) {
            return;
        }
        switch (reply) {
            case Reply.Generation g when g.stream() -> {
                byte[] model = modelJson(g.model());
                long created = createdSeconds();
                byte[] prefix = bodies.chunkPrefix(g, model, created);
                stream = new StreamSession(ctx, g, bodies, prefix, model, created, chunked, stats, this::ended);
                stream.start();
                return;
            }
            case Reply.Generation g -> write(jsonResponse(HttpResponseStatus.OK,
                    bodies.generation(ctx.alloc(), g, modelJson(g.model()), createdSeconds())));
            case Reply.Images r -> write(jsonResponse(HttpResponseStatus.OK,
                    bodies.images(ctx.alloc(), r, createdSeconds(), imageUrlPrefix())));
            case Reply.Embeddings r -> write(jsonResponse(HttpResponseStatus.OK,
                    bodies.embeddings(ctx.alloc(), r, modelJson(r.model()))));
            case Reply.Models m -> {
                ByteBuf body = m.modelId() == null ? bodies.modelList() : bodies.model(m.modelId());
                if (body == null) {
                    Reply.Failure notFound = Reply.Failure.now(HttpResponseStatus.NOT_FOUND, "invalid_request_error",
                            "model_not_found", "model", "The model '" + m.modelId() + "' does not exist");
                    fail(notFound);
                } else {
                    write(jsonResponse(HttpResponseStatus.OK, body));
                }
            }
            case Reply.ImageFile f -> {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(Bodies.pngFile()));
                response.headers()
                        .set(HttpHeaderNames.CONTENT_TYPE, IMAGE_PNG)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
                write(response);
            }
            case Reply.Failure f -> fail(f);
            case Reply.Drop d -> {
                ctx.close();
                return;
            }
        }
        ended();
    }

    private void fail(Reply.Failure f) {
        stats.errorResponse();
        FullHttpResponse response = jsonResponse(f.status(), bodies.error(ctx.alloc(), f));
        if (f.allow() != null) {
            response.headers().set(HttpHeaderNames.ALLOW, f.allow());
        }
        write(response);
    }

    private void write(FullHttpResponse response) {
        // The next reply may start at once: the outbound buffer keeps the answers in order.
        ctx.writeAndFlush(response);
    }

    /** The current reply is done: start the next pipelined one, if any. */
    private void ended() {
        busy = false;
        stream = null;
        Queued next = queued.poll();
        if (next != null) {
            begin(next.reply(), next.chunked());
        } else if (!ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private static FullHttpResponse jsonResponse(HttpResponseStatus status, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    private byte[] modelJson(String model) {
        if (!model.equals(lastModel)) {
            lastModel = model;
            lastModelJson = Bodies.jsonText(model);
        }
        return lastModelJson;
    }

    private long createdSeconds() {
        return clock.millis() / 1000;
    }

    private byte[] imageUrlPrefix() {
        if (imageUrlPrefix == null) {
            String authority = "localhost";
            if (ctx.channel().localAddress() instanceof InetSocketAddress local) {
                String host = local.getAddress().getHostAddress();
                authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + local.getPort();
            }
            imageUrlPrefix = ("http://" + authority + "/images/").getBytes(US_ASCII);
        }
        return imageUrlPrefix;
    }
}
