package ai.dalsi.gateway.edge;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;

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
