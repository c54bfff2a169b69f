package ai.dalsi.gateway.admin;

import java.sql.SQLTransientConnectionException;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one admin request on a worker thread: authenticate (everything under {@code /admin}),
 * route, check the role, run the handler, and turn every failure into a JSON answer. Logs each
 * change and each failure with the request id; never the Authorization header, a body or a key.
 *
 * <p>Authentication comes before routing so that callers without credentials learn nothing
 * about which admin paths exist.
 */
final class AdminDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(AdminDispatcher.class);

    private final Router router;
    private final AdminAuthenticator authenticator;

    AdminDispatcher(Router router, AdminAuthenticator authenticator) {
        this.router = router;
        this.authenticator = authenticator;
    }

    AdminResponse dispatch(AdminRequest request) {
        try {
            return serve(request);
        } catch (AdminProblem p) {
            if (p.status() >= 500) {
                LOG.warn("admin {} {} -> {}: {} (request id {})", request.method(), request.path(), p.status(),
                        p.getMessage(), request.requestId());
            }
            return AdminResponse.error(p.status(), p.getMessage(), p.field());
        } catch (DataAccessException e) {
            if (isConnectionProblem(e)) {
                LOG.warn("admin {} {} -> 503: database unavailable: {} (request id {})", request.method(),
                        request.path(), e.getMessage(), request.requestId());
                return AdminResponse.error(503, "database unavailable (request id " + request.requestId() + ")",
                        null);
            }
            return internalError(request, e);
        } catch (RuntimeException e) {
            return internalError(request, e);
        }
    }

    private AdminResponse serve(AdminRequest request) {
        Principal principal = null;
        if (request.path().equals("/admin") || request.path().startsWith("/admin/")) {
            AdminAuthenticator.Outcome outcome = authenticate(request);
            if (outcome instanceof AdminAuthenticator.Refused refused) {
                return unauthorized(request, refused);
            }
            principal = ((AdminAuthenticator.Authenticated) outcome).principal();
        }
        Router.Match match = router.match(request.method(), request.path());
        return switch (match) {
            case Router.NotFound nf -> AdminResponse.error(404, "no such path: " + request.path(), null);
            case Router.MethodNotAllowed mna -> AdminResponse.error(405,
                    "method " + request.method() + " not allowed on " + request.path() + " (allowed: "
                            + mna.allowed() + ")", null).withHeader("Allow", mna.allowed());
            case Router.Found found -> run(request, found, principal);
        };
    }

    private AdminResponse run(AdminRequest request, Router.Found found, Principal principal) {
        Access access = found.route().access();
        if (access != Access.OPEN && principal == null) {
            AdminAuthenticator.Outcome outcome = authenticate(request);
            if (outcome instanceof AdminAuthenticator.Refused refused) {
                return unauthorized(request, refused);
            }
            principal = ((AdminAuthenticator.Authenticated) outcome).principal();
        }
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

    private AdminAuthenticator.Outcome authenticate(AdminRequest request) {
        return authenticator.authenticate(request.authorization(), request.clientIp());
    }

    private static AdminResponse unauthorized(AdminRequest request, AdminAuthenticator.Refused refused) {
        // Who tried and why, for spotting guessing; never the credentials themselves.
        LOG.info("admin {} {} -> 401 from {}: {} (request id {})", request.method(), request.path(),
                request.clientIp(), refused.message(), request.requestId());
        return AdminResponse.error(401, refused.message(), null)
                .withHeader("WWW-Authenticate", AdminAuthenticator.CHALLENGE);
    }

    private static AdminResponse internalError(AdminRequest request, RuntimeException e) {
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
