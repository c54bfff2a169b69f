package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.net.ClientAddressResolver;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;

/**
 * Who is asking: the client address (the socket peer, or what a trusted proxy forwarded) and the
 * user agent. Requests that could not be decoded as HTTP end here (400, or 413 for a request line
 * or headers over the limit); their answer closes the connection.
 */
final class ContextStep implements ExchangeStep {

    static final StepResult.Refusal HEAD_TOO_LARGE = StepResult.Refusal.of(ErrorCode.REQUEST_TOO_LARGE,
            "The request line or headers are larger than this server accepts.");
    static final StepResult.Refusal NOT_HTTP = StepResult.Refusal.of(ErrorCode.INVALID_REQUEST,
            "The request is not valid HTTP/1.1.");

    private final ClientAddressResolver resolver;

    ContextStep(ClientAddressResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public StepResult apply(Exchange ex) {
        InetSocketAddress client = resolver.resolve(ex.peer, ex.headers);
        Learned.Caller caller = new Learned.Caller(client, text(ex.connection, client),
                ex.headers.get(HttpHeaderNames.USER_AGENT));
        if (ex.decodeFailure != null) {
            StepResult.Refusal r = ex.decodeFailure instanceof TooLongFrameException ? HEAD_TOO_LARGE : NOT_HTTP;
            return new StepResult.Refusal(r.code(), r.message(), null, null, caller);
        }
        return caller;
    }

    /** The address as text, formatted once per connection while it stays the same. */
    private static String text(ConnectionState connection, InetSocketAddress client) {
        if (client == null) {
            return null;
        }
        if (connection == null) {
            return NetUtil.toAddressString(client.getAddress());
        }
        if (client != connection.lastClient) {
            connection.lastClient = client;
            connection.lastClientText = NetUtil.toAddressString(client.getAddress());
        }
        return connection.lastClientText;
    }
}
