package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.CredentialExtractor;
import ai.dalsi.gateway.auth.KeyCache;
import ai.dalsi.gateway.authz.AuthorizationPolicy;
import ai.dalsi.gateway.catalog.Catalog;
import ai.dalsi.gateway.config.EdgeConfig;
import ai.dalsi.gateway.net.ClientAddressResolver;
import ai.dalsi.gateway.proxy.BackendProxy;
import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.metering.UsageSink;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Builds each connection's pipeline: one handler per step of the request path, in the order
 * {@link EdgePipeline} documents. Stateless handlers are shared; per-connection ones are new.
 */
final class EdgeChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final EdgeConfig config;
    private final EdgeLifecycle lifecycle;
    private final Clock clock;
    private final ClientAddressResolver resolver;
    private final CredentialExtractor extractor;
    private final KeyCache keys;
    private final AuthorizationPolicy policy;
    private final Supplier<Catalog> catalog;
    private final KeyRateLimiter limiter;
    private final BackendProxy proxy;
    private final Function<String, BackendGroup> backends;
    private final UsageSink sink;
    private final ExchangeResponder responder;
    private final RequestBodyParser parser = new RequestBodyParser();

    EdgeChannelInitializer(EdgeConfig config, EdgeLifecycle lifecycle, Clock clock, ClientAddressResolver resolver,
            CredentialExtractor extractor, KeyCache keys, AuthorizationPolicy policy, Supplier<Catalog> catalog,
            KeyRateLimiter limiter, BackendProxy proxy, Function<String, BackendGroup> backends, UsageSink sink,
            ExchangeResponder responder) {
        this.config = config;
        this.lifecycle = lifecycle;
        this.clock = clock;
        this.resolver = resolver;
        this.extractor = extractor;
        this.keys = keys;
        this.policy = policy;
        this.catalog = catalog;
        this.limiter = limiter;
        this.proxy = proxy;
        this.backends = backends;
        this.sink = sink;
        this.responder = responder;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ConnectionState state = new ConnectionState();
        ChannelPipeline p = ch.pipeline();
        p.addLast(EdgePipeline.IDLE, new IdleStateHandler(0, 0, config.keepAliveIdleTimeout().toMillis(),
                TimeUnit.MILLISECONDS));
        p.addLast(EdgePipeline.HTTP, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxHeaderBytes())
                .setMaxHeaderSize(config.maxHeaderBytes())));
        p.addLast(EdgePipeline.KEEP_ALIVE, new HttpServerKeepAliveHandler());
        p.addLast(EdgePipeline.AGGREGATE, new BodyLimitAggregator(config.maxBodyBytes()));
        p.addLast(EdgePipeline.SEQUENCE, new RequestSequencer(state, lifecycle, clock));
        p.addLast(EdgePipeline.STAMP, new ResponseHeadersHandler(state, lifecycle));
        p.addLast(EdgePipeline.CONTEXT, new RequestContextHandler(state, resolver, responder));
        p.addLast(EdgePipeline.AUTHENTICATE, new AuthenticationHandler(extractor, keys, responder));
        p.addLast(EdgePipeline.KEY_CHECK, new KeyCheckHandler(policy, clock, responder));
        p.addLast(EdgePipeline.ROUTE, new RoutingHandler(catalog, responder));
        p.addLast(EdgePipeline.BODY, new RequestBodyHandler(parser, config.maxBodyBytes(), responder));
        p.addLast(EdgePipeline.AUTHORIZE, new AuthorizationHandler(policy, catalog, responder));
        p.addLast(EdgePipeline.RATE_LIMIT, new RateLimitHandler(limiter, responder));
        p.addLast(EdgePipeline.MODELS, new ModelsHandler(catalog, responder));
        p.addLast(EdgePipeline.PROXY, new ProxyHandler(proxy, backends, sink, responder));
        p.addLast(EdgePipeline.UNEXPECTED, new UnexpectedErrorHandler(state, responder));
    }
}
