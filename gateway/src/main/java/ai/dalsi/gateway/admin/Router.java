package ai.dalsi.gateway.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The admin routes: method, path template ({@code /admin/keys/{id}/revoke}), who may call it and
 * the handler. Matching is exact per segment; {@code {name}} matches any one segment.
 */
final class Router {

    /** What a route does with a request once it is authenticated and allowed. */
    @FunctionalInterface
    interface Handler {
        AdminResponse handle(AdminRequest request);
    }

    record Route(String method, String template, Access access, Handler handler, String[] segments) {
    }

    /** The outcome of matching a request against the table. */
    sealed interface Match permits Found, NotFound, MethodNotAllowed {
    }

    record Found(Route route, Map<String, String> params) implements Match {
    }

    record NotFound() implements Match {
    }

    /** The path exists with other methods, listed for the {@code Allow} header. */
    record MethodNotAllowed(String allowed) implements Match {
    }

    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String template, Access access, Handler handler) {
        routes.add(new Route(method, template, access, handler, split(template)));
        return this;
    }

    Match match(String method, String path) {
        String[] segments = split(path);
        TreeSet<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            Map<String, String> params = matchSegments(r.segments(), segments);
            if (params == null) {
                continue;
            }
            if (r.method().equals(method)) {
                return new Found(r, params);
            }
            allowed.add(r.method());
        }
        if (allowed.isEmpty()) {
            return new NotFound();
        }
        return new MethodNotAllowed(String.join(", ", allowed));
    }

    private static Map<String, String> matchSegments(String[] template, String[] path) {
        if (template.length != path.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), path[i]);
            } else if (!t.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.startsWith("/") ? p.substring(1).split("/", -1) : p.split("/", -1);
    }
}
