package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.net.ClientAddressResolver;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;

/**
 * Who is asking: the client address (the socket peer, or what a trusted proxy forwarded) and the
 * user agent. Requests that could not be decoded as HTTP end here (400, or 413 for a request line
 * or headers over the limit), and the connection closes after the answer.
 */
final class RequestContextHandler extends ExchangeStep {

    private final ConnectionState state;
    private final ClientAddressResolver resolver;
    private final ExchangeResponder responder;

    RequestContextHandler(ConnectionState state, ClientAddressResolver resolver, ExchangeResponder responder) {
        this.state = state;
        this.resolver = resolver;
        this.responder = responder;
    }

    @Override
    void handle(ChannelHandlerContext ctx, Exchange ex) {
        InetSocketAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
        ex.client = resolver.resolve(peer, ex.headers);
        if (ex.client != null && ex.client != state.lastClient) {
            state.lastClient = ex.client;
            state.lastClientText = NetUtil.toAddressString(ex.client.getAddress());
        }
        ex.clientText = ex.client == null ? null : state.lastClientText;
        ex.userAgent = ex.headers.get(HttpHeaderNames.USER_AGENT);
        if (ex.decodeFailure != null) {
            if (ex.decodeFailure instanceof TooLongFrameException) {
                responder.reject(ctx, ex, ErrorCode.REQUEST_TOO_LARGE,
                        "The request line or headers are larger than this server accepts.", null);
            } else {
                responder.reject(ctx, ex, ErrorCode.INVALID_REQUEST, "The request is not valid HTTP/1.1.", null);
            }
            return;
        }
        ctx.fireChannelRead(ex);
    }
}
