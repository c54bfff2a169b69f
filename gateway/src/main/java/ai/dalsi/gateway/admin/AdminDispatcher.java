package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.error.Echo;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one admin request: refuse cross-site writes, authenticate (everything under
 * {@code /admin}, and other routes that are not open), route, check the role, run the handler on
 * a worker thread, and turn every failure into a JSON answer. Logs each change and each failure
 * with the request id; never the Authorization header, a body or a key.
 *
 * <p>{@link #dispatch} is called on the event loop and returns at once: the cheap refusals (cross
 * site, missing or malformed credentials, throttled logins) are decided there, refused logins
 * answered after {@code admin.login.failureDelay}; password checks run on the authenticator's
 * threads, JDBC on the workers.
 *
 * <p>Authentication comes before routing so that callers without credentials learn nothing
 * about which admin paths exist.
 */
final class AdminDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(AdminDispatcher.class);

    private final Router router;
    private final AdminAuthenticator authenticator;
    private final CrossSiteGuard crossSite;
    private final Executor workers;
    private final ScheduledExecutorService timer;
    private final Duration failureDelay;
    private final AdminMetrics metrics;

    /**
     * @param timer        schedules the delayed answers to refused logins (the admin event loop)
     * @param failureDelay how long those wait ({@code admin.login.failureDelay})
     */
    AdminDispatcher(Router router, AdminAuthenticator authenticator, CrossSiteGuard crossSite, Executor workers,
            ScheduledExecutorService timer, Duration failureDelay, AdminMetrics metrics) {
        this.router = router;
        this.authenticator = authenticator;
        this.crossSite = crossSite;
        this.workers = workers;
        this.timer = timer;
        this.failureDelay = failureDelay;
        this.metrics = metrics;
    }

    /** The answer to {@code request}; never completes exceptionally. */
    CompletionStage<AdminResponse> dispatch(AdminRequest request) {
        AdminResponse refused = crossSite.check(request);
        if (refused != null) {
            metrics.refused(refused.status() == 403 ? "cross_site" : "media_type");
            return CompletableFuture.completedFuture(refused);
        }
        Router.Match match = router.match(request.method(), request.path());
        Access access = match instanceof Router.Found found ? found.route().access() : Access.OPEN;
        if (access == Access.OPEN && !isAdminPath(request.path())) {
            return onWorkers(request, () -> answer(request, match, null));
        }
        return authenticator.authenticate(request.authorization(), request.clientIp())
                .thenCompose(outcome -> switch (outcome) {
                    case AdminAuthenticator.Refused r -> later(unauthorized(request, r));
                    case AdminAuthenticator.Throttled t -> later(AdminResponse.error(429, t.message(), null)
                            .withHeader("Retry-After", Long.toString(t.retryAfterSeconds())));
                    case AdminAuthenticator.Busy b -> later(busy("too many logins being checked, retry shortly"));
                    case AdminAuthenticator.Authenticated a -> onWorkers(request, () -> {
                        Optional<Principal> principal = authenticator.confirm(a, request.clientIp());
                        return principal.isEmpty() ? unauthorized(request, AdminAuthenticator.INVALID)
                                : answer(request, match, principal.get());
                    });
                })
                .exceptionally(e -> failure(request, e));
    }

    private static boolean isAdminPath(String path) {
        return path.equals("/admin") || path.startsWith("/admin/");
    }

    private CompletionStage<AdminResponse> onWorkers(AdminRequest request, Supplier<AdminResponse> work) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return work.get();
                } catch (RuntimeException e) {
                    return failure(request, e);
                }
            }, workers);
        } catch (RejectedExecutionException e) {
            return done(busy("admin API busy, retry shortly"));
        }
    }

    /** On a worker: route, role, handler. */
    private AdminResponse answer(AdminRequest request, Router.Match match, Principal principal) {
        return switch (match) {
            case Router.NotFound nf -> AdminResponse.error(404, "no such path: " + Echo.name(
                    request.path()), null);
            case Router.MethodNotAllowed mna -> AdminResponse.error(405,
                    "method " + Echo.name(request.method()) + " not allowed on "
                            + Echo.name(request.path()) + " (allowed: " + mna.allowed() + ")",
                    null).withHeader("Allow", mna.allowed());
            case Router.Found found -> run(request, found, principal);
        };
    }

    private AdminResponse run(AdminRequest request, Router.Found found, Principal principal) {
        Access access = found.route().access();
        if (principal != null && !access.allows(principal.role())) {
            return AdminResponse.error(403, principal.role().dbValue() + " may not " + request.method() + " "
                    + found.route().template() + " (requires: super_admin)", null);
        }
        AdminResponse response = found.route().handler().handle(request.withRoute(found.params(), principal));
        if (!request.method().equals("GET") && response.status() < 400) {
            LOG.info("admin {} {} -> {} by {} (request id {})", request.method(), request.path(), response.status(),
                    principal == null ? "anonymous" : principal.name(), request.requestId());
        }
        return response;
    }

    private static AdminResponse unauthorized(AdminRequest request, AdminAuthenticator.Refused refused) {
        // Who tried and why, for spotting guessing; never the credentials themselves. Refusals without
        // a password check cost nothing to send, so they are not worth a line each.
        if (refused.passwordChecked()) {
            LOG.info("admin {} {} -> 401 from {}: {} (request id {})", request.method(), request.path(),
                    request.clientIp(), refused.message(), request.requestId());
        }
        return AdminResponse.error(401, refused.message(), null)
                .withHeader("WWW-Authenticate", AdminAuthenticator.CHALLENGE);
    }

    private static AdminResponse busy(String message) {
        return AdminResponse.error(503, message, null).withHeader("Retry-After", "1");
    }

    private static CompletionStage<AdminResponse> done(AdminResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    /**
     * A refused login, answered after {@code admin.login.failureDelay}: a timer, no thread waits.
     * A client flooding guesses (or bad tokens) over N connections gets at most N answers per
     * delay, which keeps the event loop and the CPU free for everyone else.
     */
    private CompletionStage<AdminResponse> later(AdminResponse r) {
        if (failureDelay.isZero()) {
            return done(r);
        }
        CompletableFuture<AdminResponse> answer = new CompletableFuture<>();
        try {
            timer.schedule(() -> answer.complete(r), failureDelay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            answer.complete(r); // shutting down
        }
        return answer;
    }

    /** Every failure as the admin API's JSON: the problem's own status, 503 for the database, else 500. */
    private static AdminResponse failure(AdminRequest request, Throwable thrown) {
        Throwable e = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
        if (e instanceof AdminProblem p) {
            if (p.status() >= 500) {
                LOG.warn("admin {} {} -> {}: {} (request id {})", request.method(), request.path(), p.status(),
                        p.getMessage(), request.requestId());
            }
            return AdminResponse.error(p.status(), p.getMessage(), p.field());
        }
        if (e instanceof DataAccessException && isConnectionProblem(e)) {
            LOG.warn("admin {} {} -> 503: database unavailable: {} (request id {})", request.method(),
                    request.path(), e.getMessage(), request.requestId());
            return AdminResponse.error(503, "database unavailable (request id " + request.requestId() + ")", null);
        }
        LOG.error("admin {} {} failed (request id {})", request.method(), request.path(), request.requestId(), e);
        return AdminResponse.error(500, "internal error (request id " + request.requestId() + ")", null);
    }

    private static boolean isConnectionProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
