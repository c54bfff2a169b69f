package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.auth.Credential;
import ai.dalsi.gateway.auth.CredentialExtractor;
import ai.dalsi.gateway.auth.KeyCache;
import ai.dalsi.gateway.error.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which key is asking. The header is checked for a well-formed key first (garbage never reaches
 * the cache or the database); the key is then looked up by hash in the {@link KeyCache}. A cache
 * hit continues at once; a miss loads on the cache's executor and continues on this channel's
 * event loop.
 */
final class AuthenticationHandler extends ExchangeStep {

    private static final Logger LOG = LoggerFactory.getLogger(AuthenticationHandler.class);
    static final String MISSING = "You didn't provide an API key. You need to provide your API key in an"
            + " Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    static final String INCORRECT = "Incorrect API key provided.";

    private final CredentialExtractor extractor;
    private final KeyCache keys;
    private final ExchangeResponder responder;

    AuthenticationHandler(CredentialExtractor extractor, KeyCache keys, ExchangeResponder responder) {
        this.extractor = extractor;
        this.keys = keys;
        this.responder = responder;
    }

    @Override
    void handle(ChannelHandlerContext ctx, Exchange ex) {
        Credential credential = extractor.extract(ex.headers);
        if (!(credential instanceof Credential.Presented presented)) {
            responder.reject(ctx, ex, ErrorCode.INVALID_API_KEY,
                    credential instanceof Credential.Missing ? MISSING : INCORRECT, null);
            return;
        }
        CompletableFuture<Optional<ApiKey>> lookup = keys.lookup(presented.keyHash());
        if (lookup.isDone()) {
            resume(ctx, ex, lookup);
        } else {
            lookup.whenComplete((k, e) -> ctx.executor().execute(() -> resume(ctx, ex, lookup)));
        }
    }

    private void resume(ChannelHandlerContext ctx, Exchange ex, CompletableFuture<Optional<ApiKey>> lookup) {
        if (lookup.isCompletedExceptionally()) {
            LOG.warn("key lookup failed: {}", lookup.exceptionNow().toString());
            responder.reject(ctx, ex, ErrorCode.SERVICE_UNAVAILABLE,
                    "API keys cannot be checked right now; please retry shortly.", null);
            return;
        }
        Optional<ApiKey> key = lookup.join();
        if (key.isEmpty()) {
            responder.reject(ctx, ex, ErrorCode.INVALID_API_KEY, INCORRECT, null);
            return;
        }
        ex.key = key.get();
        if (!ctx.channel().isActive()) {
            responder.abandoned(ctx, ex);
            return;
        }
        ctx.fireChannelRead(ex);
    }
}
