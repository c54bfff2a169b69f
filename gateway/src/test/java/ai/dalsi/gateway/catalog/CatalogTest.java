package ai.dalsi.gateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.Tier;
import io.netty.handler.codec.http.HttpMethod;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogTest {

    private static ProductInfo product(String name, boolean active) {
        return new ProductInfo(name, List.of(name), Tier.FREE, 100, active, BigDecimal.ONE, BigDecimal.ZERO,
                ai.dalsi.metering.ProductKind.CHAT);
    }

    private final ProductInfo chat = product("ai.chat", true);
    private final ProductInfo things = product("ai.things", true);
    private final ProductInfo old = product("ai.old", false);
    private final Catalog catalog = Catalog.of(List.of(chat, things, old),
            Map.of(chat, List.of("/v1/chat/completions"), things, List.of("GET /v1/things", "post /v1/things"),
                    old, List.of("/v1/old")),
            List.of(new ModelInfo("b", true, false, null, null, null, 1), new ModelInfo("a", true, true, null, null, null, 2),
                    new ModelInfo("c", false, false, null, null, null, 3)));

    @Test
    void routes() {
        assertThat(catalog.route(HttpMethod.POST, "/v1/chat/completions")).isEqualTo(new RouteMatch.ProductEndpoint(chat));
        assertThat(catalog.route(HttpMethod.GET, "/v1/chat/completions"))
                .isEqualTo(new RouteMatch.MethodNotAllowed("POST"));
        assertThat(catalog.route(HttpMethod.GET, "/v1/things")).isEqualTo(new RouteMatch.ProductEndpoint(things));
        assertThat(catalog.route(HttpMethod.DELETE, "/v1/things")).isEqualTo(new RouteMatch.MethodNotAllowed("GET, POST"));
        assertThat(catalog.route(HttpMethod.POST, "/v1/old")).isEqualTo(new RouteMatch.ProductUnavailable(old));
        assertThat(catalog.route(HttpMethod.POST, "/v1/chat/completions/")).isEqualTo(RouteMatch.NOT_FOUND);
        assertThat(catalog.route(HttpMethod.GET, "/v1/models")).isEqualTo(RouteMatch.MODEL_LIST);
        assertThat(catalog.route(HttpMethod.GET, "/v1/models/a")).isEqualTo(new RouteMatch.ModelRetrieve("a"));
        assertThat(catalog.route(HttpMethod.POST, "/v1/models")).isEqualTo(new RouteMatch.MethodNotAllowed("GET"));
        assertThat(catalog.route(HttpMethod.GET, "/v1/models/a/b")).isEqualTo(RouteMatch.NOT_FOUND);
        assertThat(catalog.route(HttpMethod.GET, "/")).isEqualTo(RouteMatch.NOT_FOUND);
    }

    @Test
    void modelListPerTier() {
        assertThat(new String(catalog.modelList(Tier.FREE), StandardCharsets.UTF_8)).isEqualTo(
                "{\"object\":\"list\",\"data\":[{\"id\":\"b\",\"object\":\"model\",\"created\":1,\"owned_by\":\"dalsi\"}]}");
        assertThat(new String(catalog.modelList(Tier.ENTERPRISE), StandardCharsets.UTF_8))
                .contains("\"id\":\"a\"").contains("\"id\":\"b\"").doesNotContain("\"id\":\"c\"");
    }

    @Test
    void pricingCombinesModelAndProduct() {
        ModelInfo m = new ModelInfo("m", true, false, new BigDecimal("0.1"), null, new BigDecimal("0.04"), 0);
        var p = m.pricing(chat);
        assertThat(p.modelInputPer1k()).isEqualByComparingTo("0.1");
        assertThat(p.modelPerImage()).isEqualByComparingTo("0.04");
        assertThat(p.productPer1k()).isEqualByComparingTo("1");
    }
}
