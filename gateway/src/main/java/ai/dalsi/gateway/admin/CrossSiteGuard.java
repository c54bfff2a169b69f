package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.error.Echo;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps web pages from writing through an admin's browser (cross-site request forgery): a browser
 * sends an admin's cached Basic credentials with any request a page makes to the admin port, and a
 * plain {@code <form>} or {@code fetch(..., {mode: "no-cors"})} needs no CORS permission to do so.
 *
 * <p>The rule, for every method but {@code GET}, {@code HEAD} and {@code OPTIONS}:
 * <ol>
 *   <li>an {@code Origin} header must name the admin port itself ({@code http://} or
 *       {@code https://} plus the request's {@code Host}) or one of {@code admin.allowedOrigins},
 *       else 403;</li>
 *   <li>without {@code Origin}, {@code Sec-Fetch-Site: cross-site} or {@code same-site} is 403
 *       (a browser that hides the origin still says where the request comes from);</li>
 *   <li>a body must be JSON: a {@code Content-Type} of {@code application/json} (or
 *       {@code application/*+json}), else 415. A body without {@code Content-Type} is read as JSON
 *       only when the request has no {@code Origin}: scripts and curl with {@code -H
 *       'Content-Type: application/json'} or none at all, never a browser page. curl's default for
 *       {@code -d} ({@code application/x-www-form-urlencoded}) is refused with a hint.</li>
 * </ol>
 * Reads need no check: no answer carries {@code Access-Control-Allow-Origin}, so a page on
 * another origin cannot read them.
 */
final class CrossSiteGuard {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final List<String> allowedOrigins;

    /** @param allowedOrigins lower-case origins ({@code https://ops.example.com}) allowed besides the port's own */
    CrossSiteGuard(List<String> allowedOrigins) {
        this.allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** The refusal for this request, or null when it may go on. */
    AdminResponse check(AdminRequest request) {
        if (SAFE_METHODS.contains(request.method())) {
            return null;
        }
        AdminRequest.Headers h = request.headers();
        if (h.origin() != null) {
            String origin = h.origin().strip().toLowerCase(Locale.ROOT);
            if (!sameOrigin(origin, h.host()) && !allowedOrigins.contains(origin)) {
                return AdminResponse.error(403, "cross-site request refused: Origin " + Echo.text(h.origin())
                        + " is not this admin port (expected: no Origin, this port's own, or one of"
                        + " admin.allowedOrigins)", null);
            }
        } else if (h.fetchSite() != null) {
            String site = h.fetchSite().strip().toLowerCase(Locale.ROOT);
            if (site.equals("cross-site") || site.equals("same-site")) {
                return AdminResponse.error(403, "cross-site request refused: Sec-Fetch-Site " + Echo.text(site)
                        + " (expected: a request from this admin port's own pages, a script or curl)", null);
            }
        }
        if (request.body().length > 0) {
            return jsonBody(h);
        }
        return null;
    }

    private static AdminResponse jsonBody(AdminRequest.Headers h) {
        if (h.contentType() == null) {
            return h.origin() == null ? null : AdminResponse.error(415,
                    "Content-Type: missing (expected: application/json)", null);
        }
        String type = h.contentType();
        int semicolon = type.indexOf(';');
        String media = (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        if (media.equals("application/json") || (media.startsWith("application/") && media.endsWith("+json"))) {
            return null;
        }
        String hint = media.equals("application/x-www-form-urlencoded")
                ? "; curl -d sends that unless told otherwise: add -H 'Content-Type: application/json'" : "";
        return AdminResponse.error(415, "Content-Type: " + Echo.text(type) + " (expected: application/json"
                + hint + ")", null);
    }

    /** Whether {@code origin} is {@code http(s)://<host>} of this very request. */
    private static boolean sameOrigin(String origin, String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        return origin.equals("http://" + h) || origin.equals("https://" + h);
    }
}
