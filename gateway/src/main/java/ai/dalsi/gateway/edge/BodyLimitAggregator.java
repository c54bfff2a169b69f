package ai.dalsi.gateway.edge;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Netty's aggregator with the edge's answer to a body over the limit: instead of Netty's bare 413
 * it passes an {@link OversizedRequest} on, so the request is still authenticated (and metered
 * for a known key) and answered with OpenAI's error JSON.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {

    BodyLimitAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
            // No "100 Continue" and no bare 413 of Netty's: the request goes on as oversized and gets our 413.
            return null;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (oversized instanceof HttpRequest request) {
            // The aggregator releases the message after this returns: keep a copy of the headers.
            HttpRequest r = request;
            ctx.fireChannelRead(new OversizedRequest(r.method(), r.uri(),
                    new DefaultHttpHeaders().add(r.headers())));
        } else {
            ctx.close();
        }
    }
}
