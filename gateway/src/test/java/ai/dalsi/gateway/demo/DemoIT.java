package ai.dalsi.gateway.demo;

import static ai.dalsi.persistence.schema.Tables.AI_MODELS;
import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_PRODUCTS;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;
import static ai.dalsi.persistence.schema.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.testing.GatewayProcess;
import ai.dalsi.persistence.Database;
import ai.dalsi.persistence.DatabaseConfig;
import ai.dalsi.persistence.testing.TestServer;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command: {@code java -jar target/gateway.jar demo} as a child JVM against an empty
 * database answers a chat completion for the key it prints, and a second run on the same database
 * works with a new key and no duplicate seed rows.
 */
class DemoIT {

    private static final TestServer SERVER = TestServer.fromEnvironment();
    private static final Pattern SDK_LINE = Pattern.compile(
            "^ {2}OPENAI_BASE_URL=(http://127\\.0\\.0\\.1:\\d+/v1) OPENAI_API_KEY=(dsk_live_[0-9A-Za-z]+)$");
    private static final Duration START = Duration.ofSeconds(45);

    @TempDir
    Path work;

    private String dbName;
    private String jdbcUrl;

    @BeforeEach
    void emptyDatabase() {
        dbName = SERVER.createDatabase("demo");
        jdbcUrl = SERVER.urlOf(dbName);
    }

    @AfterEach
    void dropDatabase() {
        SERVER.dropDatabase(dbName);
    }

    /** What one run printed. */
    private record Printed(String baseUrl, String key, String curl) {
    }

    @Test
    void answersAChatCompletionForItsPrintedKeyAndRunsAgainOnTheSameDatabase() throws Exception {
        Printed first;
        try (GatewayProcess demo = startDemo()) {
            first = awaitPrinted(demo);
            assertThat(demo.stdout()).as("the key is printed exactly once")
                    .filteredOn(l -> l.strip().equals(first.key())).hasSize(1);
            assertThat(demo.stdout()).as("the usage journal, one per database, under the working directory")
                    .anyMatch(l -> l.startsWith("  journal:   " + work.toAbsolutePath().resolve("journal")
                            .resolve("demo-")) && l.contains("_" + dbName + " "));
            assertThat(demo.stdout()).as("the admin token, as a line to paste into the shell, and a curl using it")
                    .anyMatch(l -> l.matches("^  export GATEWAY_ADMIN_TOKEN=demo-[0-9A-Za-z]{32}$"))
                    .anyMatch(l -> l.startsWith("  curl -H \"Authorization: Bearer $GATEWAY_ADMIN_TOKEN\" \"http://"));
            assertThat(demo.stdout()).as("the key's limits, before a load test meets them")
                    .anyMatch(l -> l.contains("60 requests a minute, 1,000 an hour, 10,000 a day"));
            assertThat(demo.stdout()).anyMatch(l -> l.startsWith("  usage:     0 request(s), 0 token(s), $0 "));
            assertThat(first.curl()).startsWith("  curl " + first.baseUrl() + "/chat/completions ")
                    .contains("Authorization: Bearer " + first.key()).contains("\"model\":\"dalsi-ai\"");
            assertThat(String.join("\n", demo.stderr())).as("logs never show the key")
                    .doesNotContain(first.key().substring(ApiKeyFormat.DISPLAY_PREFIX_LENGTH));

            HttpResponse<String> pasted = pasteTheCurl(first);
            assertThat(pasted.statusCode()).as(pasted.body()).isEqualTo(200);
            assertThat(pasted.body()).contains("\"object\":\"chat.completion\"").contains("\"total_tokens\"");

            OpenAIClient sdk = sdk(first);
            try {
                ChatCompletion chat = sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model(DemoCatalog.TEXT_MODEL).addUserMessage("Hello from the demo test").build());
                assertThat(chat.choices()).hasSize(1);
                assertThat(chat.choices().get(0).message().content().orElseThrow()).isNotBlank();
                assertThat(chat.usage().orElseThrow().totalTokens()).isPositive();
                Completion code = sdk.completions().create(CompletionCreateParams.builder()
                        .model(DemoCatalog.TEXT_MODEL).prompt("def fib(n):").build());
                assertThat(code.choices().get(0).text()).isNotBlank();
                ImagesResponse image = sdk.images().generate(ImageGenerateParams.builder()
                        .model(DemoCatalog.VISION_MODEL).prompt("a lighthouse at dusk").n(1).build());
                assertThat(image.data().orElseThrow()).hasSize(1);
            } finally {
                sdk.close();
            }
            demo.terminate();
            assertThat(demo.awaitExit(Duration.ofSeconds(30))).as(demo.output()).isZero();
        }

        Printed second;
        try (GatewayProcess demo = startDemo()) {
            second = awaitPrinted(demo);
            assertThat(second.key()).as("a new key on every run").isNotEqualTo(first.key());
            assertThat(demo.stdout()).as("the first run's usage is still there")
                    .anyMatch(l -> l.startsWith("  usage:     4 request(s), "));
            assertThat(demo.stdout()).anyMatch(l -> l.startsWith("  kept:") && l.contains("product ai.chat")
                    && l.contains("model dalsi-aivi") && l.contains("user demo@example.com"));
            OpenAIClient sdk = sdk(second);
            try {
                ChatCompletion chat = sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model(DemoCatalog.VISION_MODEL).addUserMessage("Second run").build());
                assertThat(chat.choices().get(0).message().content().orElseThrow()).isNotBlank();
            } finally {
                sdk.close();
            }
            demo.terminate();
            assertThat(demo.awaitExit(Duration.ofSeconds(30))).as(demo.output()).isZero();
        }

        try (Database db = Database.open(DatabaseConfig.of(jdbcUrl, SERVER.user(), SERVER.password())
                .withMigrateOnStart(false).withMaxPoolSize(1))) {
            DSLContext dsl = db.dsl();
            assertThat(dsl.fetchCount(API_PRODUCTS)).as("no duplicate products").isEqualTo(5);
            assertThat(dsl.fetchCount(AI_MODELS)).as("no duplicate models").isEqualTo(2);
            assertThat(dsl.fetchCount(USERS)).as("one demo user").isEqualTo(1);
            assertThat(dsl.fetchCount(API_KEYS)).as("one key per run").isEqualTo(2);
            assertThat(dsl.fetchCount(API_KEYS, API_KEYS.KEY_HASH.in(ApiKeyFormat.sha256Hex(first.key()),
                    ApiKeyFormat.sha256Hex(second.key())))).isEqualTo(2);
            assertThat(dsl.fetchCount(API_USAGE_LOGS)).as("every request of both runs is metered, drained on SIGTERM")
                    .isEqualTo(5);
            assertThat(dsl.select(API_PRODUCTS.NAME, API_PRODUCTS.REQUIRED_SUBSCRIPTION_TIER).from(API_PRODUCTS)
                    .orderBy(API_PRODUCTS.NAME).fetch().intoMap(API_PRODUCTS.NAME, API_PRODUCTS.REQUIRED_SUBSCRIPTION_TIER))
                    .isEqualTo(Map.of("ai.chat", "free", "ai.code", "free", "ai.image", "pro", "ai.embed", "free",
                            "ai.responses", "free"));
        }
    }

    private GatewayProcess startDemo() {
        return GatewayProcess.start(work, Map.of(
                "GATEWAY_DB_URL", jdbcUrl,
                "GATEWAY_DB_USER", SERVER.user(),
                "GATEWAY_DB_PASSWORD", SERVER.password(),
                "GATEWAY_HTTP_PORT", Integer.toString(GatewayProcess.freePort()),
                "GATEWAY_ADMIN_PORT", Integer.toString(GatewayProcess.freePort())), "demo");
    }

    private static Printed awaitPrinted(GatewayProcess demo) {
        demo.awaitStdoutLine("Ctrl-C stops the demo.", START);
        String sdkLine = demo.awaitStdoutLine("  OPENAI_BASE_URL=", Duration.ofSeconds(1));
        Matcher m = SDK_LINE.matcher(sdkLine);
        assertThat(m.matches()).as("SDK line: " + sdkLine).isTrue();
        String curl = demo.awaitStdoutLine("  curl http", Duration.ofSeconds(1));
        return new Printed(m.group(1), m.group(2), curl);
    }

    /** Runs the printed curl's request: its URL, headers and body, as a shell would pass them. */
    private static HttpResponse<String> pasteTheCurl(Printed printed) throws Exception {
        Matcher m = Pattern.compile("curl (\\S+) -H \"([^\"]+)\" -H \"([^\"]+)\" -d '([^']+)'").matcher(printed.curl());
        assertThat(m.find()).as(printed.curl()).isTrue();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(m.group(1))).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(m.group(4)));
        for (String header : new String[] {m.group(2), m.group(3)}) {
            int colon = header.indexOf(':');
            request.header(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static OpenAIClient sdk(Printed printed) {
        return OpenAIOkHttpClient.builder().baseUrl(printed.baseUrl()).apiKey(printed.key()).maxRetries(0).build();
    }
}
