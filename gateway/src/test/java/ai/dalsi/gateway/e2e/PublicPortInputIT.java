package ai.dalsi.gateway.e2e;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.Responses.error;
import static ai.dalsi.gateway.testing.Responses.requestId;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.CannedBackendProxy;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admin port's hostile inputs, sent to the public port with a valid key: a NUL or a
 * megabyte in the model name, numbers with huge exponents or beyond their type, deep nesting,
 * more JSON after the object. Each is a 400 in OpenAI's error JSON, short, in the gateway's own
 * words; never a 5xx; the backend is never called, and the usage event stays small.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublicPortInputIT {

    private static final List<String> LIBRARY_WORDS = List.of("com.fasterxml", "jackson", "JsonNode",
            "StreamReadConstraints", "Exception", "`", "netty");

    private final CannedBackendProxy proxy = new CannedBackendProxy();
    private final TestEdge edge;
    private final String key;

    PublicPortInputIT(TestDatabase db) {
        edge = TestEdge.builder(db).proxy(proxy).start();
        key = edge.seed.key(KeySpec.chat());
    }

    @AfterAll
    void stop() {
        edge.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "NUL in the model             | {\"model\":\"dalsi\\u0000chat\",\"messages\":[]}                 | model",
            "control character in model   | {\"model\":\"dalsi-chat\\n\",\"messages\":[]}                    | model",
            "a long model name            | {\"model\":\"LONG\",\"messages\":[]}                            | model",
            "huge exponent in max_tokens  | {\"model\":\"dalsi-chat\",\"max_tokens\":1e1000000}              | max_tokens",
            "negative huge max_tokens     | {\"model\":\"dalsi-chat\",\"max_tokens\":-1e1000000}             | max_tokens",
            "max_tokens beyond a long     | {\"model\":\"dalsi-chat\",\"max_tokens\":99999999999999999999999} | max_tokens",
            "n with an unreadable exponent | {\"model\":\"dalsi-chat\",\"n\":1e999999999999}                  | n",
            "n beyond a long              | {\"model\":\"dalsi-chat\",\"n\":-99999999999999999999999}         | n",
            "deep nesting                 | DEEP                                                         | ",
            "more JSON after the object   | {\"model\":\"dalsi-chat\"} {\"model\":\"dalsi-chat\"}              | ",
            "text after the object        | {\"model\":\"dalsi-chat\"}x                                     | ",
            "a number too long to read    | {\"model\":\"dalsi-chat\",\"temperature\":LONG_NUMBER}          | ",
    })
    void hostileBodiesAreShort400sInOpenAisShape(String what, String body, String param) {
        String b = body.replace("LONG_NUMBER", "1" + "0".repeat(5000))
                .replace("LONG", "m".repeat(1_000_000))
                .replace("DEEP", "{\"model\":\"dalsi-chat\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}");
        int forwarded = proxy.forwarded().size();
        HttpResponse<String> r = edge.post("/v1/chat/completions", key, b);
        JsonNode e = error(r, 400, "invalid_request", "invalid_request_error");
        assertThat(r.body().getBytes(StandardCharsets.UTF_8).length).as(what).isLessThan(1024);
        for (String word : LIBRARY_WORDS) {
            assertThat(e.get("message").asText()).as(what).doesNotContainIgnoringCase(word);
        }
        if (param == null) {
            assertThat(e.get("param").isNull()).as(what).isTrue();
        } else {
            assertThat(e.get("param").asText()).as(what).isEqualTo(param);
        }
        assertThat(proxy.forwarded()).as("never forwarded").hasSize(forwarded);
        UsageEvent event = edge.sink.only(requestId(r));
        assertThat(event.statusCode()).isEqualTo(400);
        assertThat(event.model()).as("no hostile model name in the ledger").isNull();
    }

    @Test
    void theModelsOwnNameStillWorks() {
        HttpResponse<String> r = edge.chat(key, CHAT_MODEL);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void anUnknownModelOfPlausibleNameIs404NamingIt() {
        HttpResponse<String> r = edge.chat(key, "m".repeat(256));
        JsonNode e = error(r, 404, "model_not_found", "invalid_request_error");
        assertThat(r.body().getBytes(StandardCharsets.UTF_8).length).isLessThan(1024);
        assertThat(e.get("param").asText()).isEqualTo("model");
    }
}
