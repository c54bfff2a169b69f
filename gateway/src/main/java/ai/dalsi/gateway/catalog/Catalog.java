package ai.dalsi.gateway.catalog;

import ai.dalsi.gateway.auth.Tier;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One immutable snapshot of products and models: routes (method and path to product), models by
 * name, and the pre-rendered {@code GET /v1/models} bodies per tier. Rebuilt on every catalog
 * refresh; requests only read it.
 *
 * <p>An entry of {@code api_products.endpoints} is either a path ({@code /v1/chat/completions},
 * meaning POST) or a method and a path ({@code GET /v1/things}).
 */
public final class Catalog {

    /** The models list: built in, belongs to no product. */
    public static final String MODELS_PATH = "/v1/models";
    private static final String MODELS_PREFIX = MODELS_PATH + "/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Map<HttpMethod, ProductInfo>> routes;
    /** The match of each product, made once so routing allocates nothing per request. */
    private final Map<ProductInfo, RouteMatch> matches = new java.util.IdentityHashMap<>();
    private final Map<String, ModelInfo> models;
    private final byte[] freeModelList;
    private final byte[] paidModelList;

    private Catalog(Map<String, Map<HttpMethod, ProductInfo>> routes, Map<String, ModelInfo> models) {
        this.routes = routes;
        this.models = models;
        for (Map<HttpMethod, ProductInfo> byMethod : routes.values()) {
            for (ProductInfo p : byMethod.values()) {
                matches.computeIfAbsent(p, x -> x.active() ? new RouteMatch.ProductEndpoint(x)
                        : new RouteMatch.ProductUnavailable(x));
            }
        }
        this.freeModelList = render(models.values(), false);
        this.paidModelList = render(models.values(), true);
    }

    /** The names of every model, for loading their tokenizers at start. */
    public java.util.Set<String> modelNames() {
        return models.keySet();
    }

    /** An empty catalog: every path is unknown. */
    public static Catalog empty() {
        return new Catalog(Map.of(), Map.of());
    }

    /**
     * Builds a snapshot. Later products win when two name the same method and path (products
     * come ordered by name, so the choice is stable).
     */
    public static Catalog of(Collection<ProductInfo> products, Map<ProductInfo, List<String>> endpoints,
            Collection<ModelInfo> models) {
        Map<String, Map<HttpMethod, ProductInfo>> routes = new HashMap<>();
        for (ProductInfo p : products) {
            for (String endpoint : endpoints.getOrDefault(p, List.of())) {
                String e = endpoint.trim();
                HttpMethod method = HttpMethod.POST;
                int space = e.indexOf(' ');
                if (space > 0) {
                    method = HttpMethod.valueOf(e.substring(0, space).toUpperCase(Locale.ROOT));
                    e = e.substring(space + 1).trim();
                }
                if (e.isEmpty() || e.charAt(0) != '/' || e.equals(MODELS_PATH)) {
                    continue;
                }
                routes.computeIfAbsent(e, k -> new HashMap<>(4)).put(method, p);
            }
        }
        Map<String, ModelInfo> byName = new LinkedHashMap<>();
        for (ModelInfo m : models) {
            byName.put(m.name(), m);
        }
        return new Catalog(routes, byName);
    }

    /** Where a request goes. {@code path} has no query string. */
    public RouteMatch route(HttpMethod method, String path) {
        Map<HttpMethod, ProductInfo> byMethod = routes.get(path);
        if (byMethod != null) {
            ProductInfo p = byMethod.get(method);
            if (p == null) {
                return new RouteMatch.MethodNotAllowed(allowed(byMethod));
            }
            return matches.get(p);
        }
        if (path.equals(MODELS_PATH)) {
            return HttpMethod.GET.equals(method) ? RouteMatch.MODEL_LIST : new RouteMatch.MethodNotAllowed("GET");
        }
        if (path.startsWith(MODELS_PREFIX) && path.length() > MODELS_PREFIX.length()
                && path.indexOf('/', MODELS_PREFIX.length()) < 0) {
            return HttpMethod.GET.equals(method)
                    ? new RouteMatch.ModelRetrieve(path.substring(MODELS_PREFIX.length()))
                    : new RouteMatch.MethodNotAllowed("GET");
        }
        return RouteMatch.NOT_FOUND;
    }

    private static String allowed(Map<HttpMethod, ProductInfo> byMethod) {
        StringJoiner j = new StringJoiner(", ");
        byMethod.keySet().stream().map(HttpMethod::name).sorted().forEach(j::add);
        return j.toString();
    }

    /** The model with this name, active or not, or null. */
    public ModelInfo model(String name) {
        return models.get(name);
    }

    /** OpenAI's list body of the active models a key of this tier may use. */
    public byte[] modelList(Tier tier) {
        return tier == Tier.FREE ? freeModelList : paidModelList;
    }

    /** OpenAI's model object, for {@code GET /v1/models/{model}}. */
    public static byte[] modelObject(ModelInfo m) {
        try {
            return JSON.writeValueAsBytes(modelNode(m));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a key of this tier may use the model (active, and subscribed when it requires it). */
    public static boolean usableBy(ModelInfo m, Tier tier) {
        return m.active() && (!m.requiresSubscription() || tier != Tier.FREE);
    }

    private static byte[] render(Collection<ModelInfo> models, boolean paid) {
        ObjectNode list = JSON.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        List<ModelInfo> sorted = new ArrayList<>(models);
        sorted.sort(java.util.Comparator.comparing(ModelInfo::name));
        for (ModelInfo m : sorted) {
            if (usableBy(m, paid ? Tier.PRO : Tier.FREE)) {
                data.add(modelNode(m));
            }
        }
        try {
            return JSON.writeValueAsBytes(list);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode modelNode(ModelInfo m) {
        return JSON.createObjectNode()
                .put("id", m.name())
                .put("object", "model")
                .put("created", m.created())
                .put("owned_by", "dalsi");
    }
}
