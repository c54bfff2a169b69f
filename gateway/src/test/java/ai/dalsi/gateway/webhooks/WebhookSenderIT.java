package ai.dalsi.gateway.webhooks;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.WEBHOOK_ATTEMPTS;
import static ai.dalsi.persistence.schema.Tables.WEBHOOK_EVENTS;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.config.WebhooksConfig;
import ai.dalsi.persistence.repo.ApiKeyRepository;
import ai.dalsi.persistence.repo.NewKey;
import ai.dalsi.persistence.repo.UserRepository;
import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.webhooks.LimitWindow;
import ai.dalsi.persistence.webhooks.WebhookDeliveries;
import ai.dalsi.persistence.webhooks.WebhookEvent;
import ai.dalsi.persistence.webhooks.WebhookOutbox;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sender against a real database and a real receiver: several nodes deliver each event once,
 * a node that dies mid-delivery loses its lease, targets are checked after DNS resolution and the
 * connection goes to the checked address, TLS receivers must be trusted, slow ones time out.
 */
@ExtendWith({FreshDatabaseExtension.class, NettyLeakExtension.class})
class WebhookSenderIT {

    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(
            "webhook-sender-it-secret-0123456789".getBytes());

    private final DSLContext dsl;
    private final List<AutoCloseable> open = new ArrayList<>();
    private WebhookReceiver receiver;
    private UUID user;

    WebhookSenderIT(DSLContext dsl) {
        this.dsl = dsl;
    }

    @BeforeEach
    void setUp() throws Exception {
        dsl.deleteFrom(WEBHOOK_EVENTS).execute();
        receiver = new WebhookReceiver();
        open.add(receiver);
        user = new UserRepository(dsl).insert("sender-" + UUID.randomUUID() + "@example.com", null);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }

    static WebhooksConfig config(boolean allowHttp, boolean allowPrivate, int maxAttempts, Duration readTimeout) {
        return new WebhooksConfig(SECRET, allowHttp, allowPrivate, Duration.ofSeconds(1), readTimeout, maxAttempts,
                Duration.ofMillis(50), Duration.ofMillis(200), 4, Duration.ofMillis(20), Duration.ofSeconds(8));
    }

    private Webhooks start(WebhooksConfig config, WebhookTargets.Resolver resolver, String node) {
        Webhooks w = Webhooks.start(config, dsl, new SimpleMeterRegistry(), Clock.systemUTC(), resolver, node);
        open.add(w);
        return w;
    }

    private UUID key(String webhookUrl) {
        String hash = (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
        return new ApiKeyRepository(dsl).insert(new NewKey(user, hash, "dsk_test_" + hash.substring(0, 3), "k",
                List.of("ai.chat"), null, null, null, null, null, null, null, null, webhookUrl));
    }

    private void enqueue(List<WebhookEvent> events) {
        dsl.transaction(c -> WebhookOutbox.enqueue(c.dsl(), events));
    }

    private String status(UUID eventId) {
        return dsl.select(WEBHOOK_EVENTS.STATUS).from(WEBHOOK_EVENTS).where(WEBHOOK_EVENTS.ID.eq(eventId))
                .fetchOne(WEBHOOK_EVENTS.STATUS);
    }

    private List<WebhookDeliveries.Attempt> attempts(UUID eventId) {
        return new WebhookDeliveries(dsl).attempts(eventId);
    }

    @Test
    void twoNodesOnOneDatabaseDeliverEachEventOnce() throws Exception {
        List<WebhookEvent> events = new ArrayList<>();
        Instant t = Instant.now().minusSeconds(3600);
        for (int k = 0; k < 10; k++) {
            UUID key = key(receiver.url("/hooks/" + k));
            for (int i = 0; i < 15; i++) {
                events.add(WebhookEvent.keyRateLimited(key, LimitWindow.MINUTE, "requests", t.plusSeconds(60L * i),
                        "/v1/chat/completions", null));
            }
        }
        enqueue(events);
        start(config(true, true, 5, Duration.ofSeconds(2)), WebhookTargets.Resolver.SYSTEM, "node-a");
        start(config(true, true, 5, Duration.ofSeconds(2)), WebhookTargets.Resolver.SYSTEM, "node-b");

        Eventually.await("all 150 events delivered", Duration.ofSeconds(60),
                () -> dsl.fetchCount(WEBHOOK_EVENTS, WEBHOOK_EVENTS.STATUS.eq("delivered")) == 150);
        tearDown(); // both nodes stopped: no attempt is still in flight

        List<String> ids = receiver.received().stream().map(r -> r.header("webhook-id")).toList();
        assertThat(ids).hasSize(150);
        assertThat(new HashSet<>(ids)).hasSize(150)
                .isEqualTo(new HashSet<>(events.stream().map(e -> e.id().toString()).toList()));
        assertThat(dsl.fetchCount(WEBHOOK_ATTEMPTS)).as("one attempt per event").isEqualTo(150);
        Set<String> nodes = new HashSet<>(dsl.selectDistinct(WEBHOOK_ATTEMPTS.NODE).from(WEBHOOK_ATTEMPTS)
                .fetch(WEBHOOK_ATTEMPTS.NODE));
        assertThat(nodes).as("both nodes delivered").containsExactlyInAnyOrder("node-a", "node-b");
        for (WebhookReceiver.Received r : receiver.received()) {
            assertThat(StandardWebhooksVerifier.verify(SECRET, r, Instant.now())).isTrue();
        }
    }

    @Test
    void anEventLeasedByANodeThatDiedIsDeliveredOnceItsLeaseRunsOut() {
        UUID key = key(receiver.url("/hooks/lease"));
        WebhookEvent event = WebhookEvent.keyRevoked(key, "compromised", Instant.now());
        enqueue(List.of(event));
        // A node claims it and dies before recording anything.
        var claimed = new WebhookDeliveries(dsl).claim("dead-node", 1, Instant.now(), Duration.ofSeconds(2));
        assertThat(claimed).hasSize(1);

        start(config(true, true, 5, Duration.ofSeconds(2)), WebhookTargets.Resolver.SYSTEM, "live-node");
        Eventually.await("delivered by the live node", Duration.ofSeconds(15),
                () -> "delivered".equals(status(event.id())));
        assertThat(receiver.received()).hasSize(1);
        assertThat(attempts(event.id())).singleElement().satisfies(a -> {
            assertThat(a.node()).isEqualTo("live-node");
            assertThat(a.attempt()).as("the dead node's attempt counts").isEqualTo(2);
        });
    }

    @Test
    void aNameThatResolvesToLoopbackIsRefusedWhenSending() {
        // Stored without the admin API's check (the portal shares the table).
        UUID key = key("http://localhost:" + receiver.port() + "/hooks/local");
        WebhookEvent event = WebhookEvent.keyRevoked(key, "r", Instant.now());
        enqueue(List.of(event));
        start(config(true, false, 2, Duration.ofSeconds(2)), WebhookTargets.Resolver.SYSTEM, "n");

        Eventually.await("failed for good", Duration.ofSeconds(15), () -> "failed".equals(status(event.id())));
        assertThat(receiver.received()).isEmpty();
        assertThat(receiver.dropped()).isZero();
        assertThat(attempts(event.id())).hasSize(2).allSatisfy(a -> {
            assertThat(a.outcome()).isEqualTo(WebhookDeliveries.Outcome.REFUSED_TARGET);
            assertThat(a.error()).startsWith("refused: resolves to ").contains("a loopback address");
            assertThat(a.statusCode()).isNull();
        });
    }

    @Test
    void aNameRebindingToLoopbackAfterItWasCheckedCannotReachIt() throws Exception {
        AtomicReference<String> answer = new AtomicReference<>("93.184.215.14");
        WebhookTargets.Resolver dns = host -> host.equals("rebind.example")
                ? new InetAddress[] {InetAddress.getByName(answer.get())}
                : WebhookTargets.Resolver.SYSTEM.resolve(host);
        Webhooks webhooks = start(config(true, false, 1, Duration.ofSeconds(2)), dns, "n");
        String url = "http://rebind.example:" + receiver.port() + "/hooks/rebind";
        assertThat(webhooks.targets().check(url)).as("public when saved").isInstanceOf(WebhookTargets.Accepted.class);

        answer.set("127.0.0.1");
        UUID key = key(url);
        WebhookEvent event = WebhookEvent.keyRevoked(key, "r", Instant.now());
        enqueue(List.of(event));
        Eventually.await("failed", Duration.ofSeconds(15), () -> "failed".equals(status(event.id())));
        assertThat(receiver.received()).isEmpty();
        assertThat(attempts(event.id())).singleElement().satisfies(a -> assertThat(a.error())
                .startsWith("refused: resolves to 127.0.0.1, a loopback address"));
    }

    @Test
    void theDeliveryConnectsToTheResolvedAddressAndNamesTheHost() throws Exception {
        WebhookTargets.Resolver dns = host -> host.equals("receiver.test")
                ? new InetAddress[] {InetAddress.getByName("127.0.0.1")}
                : WebhookTargets.Resolver.SYSTEM.resolve(host);
        start(config(true, true, 1, Duration.ofSeconds(2)), dns, "n");
        UUID key = key("http://receiver.test:" + receiver.port() + "/hooks/named?tenant=7");
        WebhookEvent event = WebhookEvent.keyRevoked(key, "r", Instant.now());
        enqueue(List.of(event));

        Eventually.await("delivered", Duration.ofSeconds(15), () -> "delivered".equals(status(event.id())));
        WebhookReceiver.Received r = receiver.received().getFirst();
        assertThat(r.header("host")).isEqualTo("receiver.test:" + receiver.port());
        assertThat(r.path()).isEqualTo("/hooks/named?tenant=7");
        assertThat(StandardWebhooksVerifier.verify(SECRET, r, Instant.now())).isTrue();
    }

    @Test
    void anHttpsReceiverWithAnUntrustedCertificateGetsNothing() {
        WireMockServer tls = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().dynamicHttpsPort());
        tls.start();
        open.add(tls::stop);
        start(config(false, true, 1, Duration.ofSeconds(2)), WebhookTargets.Resolver.SYSTEM, "n");
        UUID key = key("https://127.0.0.1:" + tls.httpsPort() + "/hooks/tls");
        WebhookEvent event = WebhookEvent.keyRevoked(key, "r", Instant.now());
        enqueue(List.of(event));

        Eventually.await("failed", Duration.ofSeconds(15), () -> "failed".equals(status(event.id())));
        assertThat(attempts(event.id())).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(WebhookDeliveries.Outcome.NETWORK_ERROR);
            assertThat(a.error()).startsWith("TLS: ");
        });
        assertThat(tls.getAllServeEvents()).as("no request went over the untrusted connection").isEmpty();
    }

    @Test
    void aReceiverThatNeverAnswersTimesOutAndIsTriedAgain() {
        receiver.hang();
        UUID key = key(receiver.url("/hooks/slow"));
        WebhookEvent event = WebhookEvent.keyRevoked(key, "r", Instant.now());
        enqueue(List.of(event));
        start(config(true, true, 2, Duration.ofMillis(300)), WebhookTargets.Resolver.SYSTEM, "n");

        Eventually.await("failed after two timeouts", Duration.ofSeconds(15),
                () -> "failed".equals(status(event.id())));
        assertThat(attempts(event.id())).hasSize(2).allSatisfy(a -> {
            assertThat(a.outcome()).isEqualTo(WebhookDeliveries.Outcome.TIMEOUT);
            assertThat(a.error()).isEqualTo("no response within 300 ms");
            assertThat(a.latencyMs()).isGreaterThanOrEqualTo(300);
        });
    }

    @Test
    void eventsOfAKeyWhoseWebhookWasRemovedFailWithoutAnAttemptOnTheWire() {
        UUID key = key(receiver.url("/hooks/gone"));
        WebhookEvent event = WebhookEvent.keyRevoked(key, "r", Instant.now());
        enqueue(List.of(event));
        dsl.update(API_KEYS).setNull(API_KEYS.WEBHOOK_URL).where(API_KEYS.ID.eq(key)).execute();
        start(config(true, true, 5, Duration.ofSeconds(2)), WebhookTargets.Resolver.SYSTEM, "n");

        Eventually.await("failed", Duration.ofSeconds(15), () -> "failed".equals(status(event.id())));
        assertThat(attempts(event.id())).singleElement().satisfies(a ->
                assertThat(a.error()).isEqualTo("the key has no webhook_url any more"));
        assertThat(receiver.received()).isEmpty();
    }
}
