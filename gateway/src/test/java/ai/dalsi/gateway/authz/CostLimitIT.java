package ai.dalsi.gateway.authz;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.Responses.error;
import static ai.dalsi.gateway.testing.Responses.requestId;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.testing.CannedBackendProxy;
import ai.dalsi.gateway.testing.EdgeSeed;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.repo.Model;
import ai.dalsi.persistence.repo.ModelRepository;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A request whose cost the ledger could not record is never served: a model priced beyond the
 * catalog's bounds (written into the database around the admin API, which refuses it) or a
 * request asking for absurdly many choices gets 400 {@code cost_limit_exceeded}, counted, before
 * the backend is called; it is metered as a refusal at no cost.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CostLimitIT {

    private static final String OVERPRICED = "dalsi-overpriced";

    private final CannedBackendProxy proxy = new CannedBackendProxy();
    private final TestEdge edge;
    private final String key;

    CostLimitIT(TestDatabase db) {
        new EdgeSeed(db.dsl()).standardCatalog();
        new ModelRepository(db.dsl()).upsert(new Model(null, OVERPRICED, "1", "text", "{}",
                "{\"input_per_1k\": 1e300, \"output_per_1k\": 0.002}", true, false));
        edge = TestEdge.builder(db).seedCatalog(false).proxy(proxy).start();
        key = edge.seed.key(KeySpec.chat());
    }

    @AfterAll
    void stop() {
        edge.close();
    }

    @Test
    void aModelPricedBeyondTheLedgersBoundIsRefusedNotServedForFree() {
        int forwarded = proxy.forwarded().size();
        HttpResponse<String> r = edge.chat(key, OVERPRICED);
        error(r, 400, "cost_limit_exceeded", "invalid_request_error");
        assertThat(r.body()).contains("999999999999.99999999 USD");
        assertThat(proxy.forwarded()).as("the backend is never called").hasSize(forwarded);
        assertThat(edge.metrics.rejected()).contains(ErrorCode.COST_LIMIT_EXCEEDED);
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.costUsd()).isEqualByComparingTo(BigDecimal.ZERO);
    }

    @Test
    void absurdlyManyChoicesAreRefusedBeforeTheBackend() {
        int forwarded = proxy.forwarded().size();
        HttpResponse<String> r = edge.post("/v1/chat/completions", key, "{\"model\":\"" + CHAT_MODEL
                + "\",\"n\":1000000000000000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        error(r, 400, "cost_limit_exceeded", "invalid_request_error");
        assertThat(proxy.forwarded()).hasSize(forwarded);
    }

    @Test
    void ordinaryRequestsAreServed() {
        assertThat(edge.chat(key, CHAT_MODEL).statusCode()).isEqualTo(200);
    }
}
