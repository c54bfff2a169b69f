package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.error.Echo;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One admin request, copied off the Netty buffers so it can be handled on a worker thread.
 *
 * @param requestId     id echoed as {@code x-request-id} and named in logs
 * @param method        HTTP method
 * @param path          path without the query
 * @param query         decoded query parameters
 * @param headers       the headers the admin API reads
 * @param clientIp      peer address of the connection
 * @param body          request body bytes (empty when none)
 * @param pathParams    values of the route's {@code {name}} segments
 * @param principal     who is calling, once authenticated (null before, and on open routes)
 */
record AdminRequest(
        String requestId,
        String method,
        String path,
        Map<String, List<String>> query,
        Headers headers,
        String clientIp,
        byte[] body,
        Map<String, String> pathParams,
        Principal principal) {

    /**
     * The request headers the admin API reads, each null when absent.
     *
     * @param authorization  never logged
     * @param userAgent      recorded with revocations
     * @param host           the admin port's own origin is {@code http(s)://<host>}
     * @param origin         the page a browser request comes from
     * @param fetchSite      {@code Sec-Fetch-Site}: how that page relates to this port
     * @param contentType    the body's media type
     */
    record Headers(String authorization, String userAgent, String host, String origin, String fetchSite,
            String contentType) {

        static final Headers NONE = new Headers(null, null, null, null, null, null);
    }

    AdminRequest withRoute(Map<String, String> params, Principal who) {
        return new AdminRequest(requestId, method, path, query, headers, clientIp, body, params, who);
    }

    String authorization() {
        return headers.authorization();
    }

    String userAgent() {
        return headers.userAgent();
    }

    /** The path segment {@code {name}} as an id; unparseable ids are unknown ids (404). */
    UUID idParam(String name, String what) {
        String raw = pathParams.get(name);
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw AdminProblem.notFound("no " + what + " with id " + Echo.name(String.valueOf(raw)));
        }
    }

    /**
     * The query parameter {@code name}, stripped; null when absent or empty; 400 naming it when it
     * is given more than once.
     */
    String queryParam(String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw AdminProblem.badInput(name, name + ": given " + values.size() + " times (expected: once)");
        }
        String v = values.get(0).strip();
        return v.isEmpty() ? null : v;
    }

    /** The admin's {@code a_users} id, or null for the bootstrap token. */
    UUID adminId() {
        return principal == null ? null : principal.id();
    }
}
