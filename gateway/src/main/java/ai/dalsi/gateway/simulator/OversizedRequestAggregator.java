package ai.dalsi.gateway.simulator;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Aggregates whole requests; refuses a too-large one with OpenAI's error JSON (413) and closes. */
final class OversizedRequestAggregator extends HttpObjectAggregator {

    private final Bodies bodies;
    private final SimulatorStats stats;

    OversizedRequestAggregator(int maxContentLength, Bodies bodies, SimulatorStats stats) {
        super(maxContentLength);
        this.bodies = bodies;
        this.stats = stats;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        stats.errorResponse();
        Reply.Failure failure = Reply.Failure.now(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "invalid_request_error", "request_too_large", null,
                "The request body is larger than " + maxContentLength() + " bytes.");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, failure.status(),
                bodies.error(ctx.alloc(), failure));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // The rest of the body is still coming: close rather than try to skip it.
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
