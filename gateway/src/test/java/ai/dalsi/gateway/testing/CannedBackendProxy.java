package ai.dalsi.gateway.testing;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.proxy.BackendProxy;
import ai.dalsi.gateway.proxy.ExchangeListener;
import ai.dalsi.gateway.proxy.ProxyOutcome;
import ai.dalsi.gateway.proxy.ProxyRequest;
import ai.dalsi.metering.TokenUsage;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the real proxy that keeps its contract without a backend: answers every
 * forwarded request with a fixed JSON body (status, headers, then the last bytes only after the
 * listener's stage completed), or with a gateway error (502/504, nothing written). Records what
 * it was given, so tests can see the body and headers the edge forwards.
 */
public final class CannedBackendProxy implements BackendProxy {

    /** What the edge forwarded. */
    public record Forwarded(String requestId, String uri, HttpHeaders headers, String body, String model,
            boolean stream, boolean clientAskedForUsage, String backend) {
    }

    private final List<Forwarded> forwarded = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String body = "{\"id\":\"canned\",\"object\":\"chat.completion\",\"choices\":[]}";
    private volatile TokenUsage usage = TokenUsage.reported(10, 20, 0);
    private volatile ErrorCode gatewayError;

    @Override
    public void forward(ChannelHandlerContext inbound, ProxyRequest request, ExchangeListener listener) {
        String text = request.body().toString(StandardCharsets.UTF_8);
        request.body().release();
        forwarded.add(new Forwarded(request.requestId(), request.uri(), request.headers().copy(), text, request.model(),
                request.stream(), request.clientAskedForUsage(),
                request.backends().backends().get(0).target().baseUrl().toString()));
        ErrorCode error = gatewayError;
        if (error != null) {
            listener.completed(new ProxyOutcome.Unanswered(error, "canned " + error, -1, "canned", 1));
            return;
        }
        Channel ch = inbound.channel();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set("x-request-id", "backend-id-must-be-replaced");
        ch.writeAndFlush(head);
        listener.completed(new ProxyOutcome.Completed(status, usage, bytes.length, 3, -1, "canned", 1))
                .whenComplete((v, e) -> ch.eventLoop().execute(() -> {
                    if (e != null) {
                        ch.close();
                    } else {
                        ch.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes)));
                    }
                }));
    }

    public List<Forwarded> forwarded() {
        return List.copyOf(forwarded);
    }

    public Forwarded last() {
        return forwarded.get(forwarded.size() - 1);
    }

    public void respond(int status, String body, TokenUsage usage) {
        this.status = status;
        this.body = body;
        this.usage = usage;
    }

    /** Answer every request with this error and write nothing (null: answer normally). */
    public void failWith(ErrorCode error) {
        this.gatewayError = error;
    }

    @Override
    public void close() {
    }
}
