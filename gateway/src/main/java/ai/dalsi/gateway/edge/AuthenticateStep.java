package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.auth.Credential;
import ai.dalsi.gateway.auth.CredentialExtractor;
import ai.dalsi.gateway.auth.KeyCache;
import ai.dalsi.gateway.error.ErrorCode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which key is asking. The header is checked for a well-formed key first (garbage never reaches
 * the cache or the database); the key is then looked up by hash in the {@link KeyCache}. A cache
 * hit decides at once; a miss loads on the cache's executor and the path resumes on the channel's
 * event loop ({@link StepResult.Pending}).
 */
final class AuthenticateStep implements ExchangeStep {

    private static final Logger LOG = LoggerFactory.getLogger(AuthenticateStep.class);
    static final String MISSING_MESSAGE = "You didn't provide an API key. You need to provide your API key in an"
            + " Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    static final String INCORRECT_MESSAGE = "Incorrect API key provided.";
    static final StepResult.Refusal MISSING = StepResult.Refusal.of(ErrorCode.INVALID_API_KEY, MISSING_MESSAGE);
    static final StepResult.Refusal INCORRECT = StepResult.Refusal.of(ErrorCode.INVALID_API_KEY, INCORRECT_MESSAGE);
    static final StepResult.Refusal UNAVAILABLE = StepResult.Refusal.of(ErrorCode.SERVICE_UNAVAILABLE,
            "API keys cannot be checked right now; please retry shortly.");

    private final CredentialExtractor extractor;
    private final KeyCache keys;

    AuthenticateStep(CredentialExtractor extractor, KeyCache keys) {
        this.extractor = extractor;
        this.keys = keys;
    }

    @Override
    public StepResult apply(Exchange ex) {
        Credential credential = extractor.extract(ex.headers);
        if (!(credential instanceof Credential.Presented presented)) {
            return credential instanceof Credential.Missing ? MISSING : INCORRECT;
        }
        CompletableFuture<Optional<ApiKey>> lookup = keys.lookup(presented.keyHash());
        return StepResult.when(lookup, AuthenticateStep::found, AuthenticateStep::failed);
    }

    private static StepResult found(Optional<ApiKey> key) {
        return key.isEmpty() ? INCORRECT : new Learned.Authenticated(key.get());
    }

    private static StepResult failed(Throwable e) {
        LOG.warn("key lookup failed: {}", e.toString());
        return UNAVAILABLE;
    }
}
