package ai.dalsi.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.config.AdminConfig;
import ai.dalsi.gateway.health.Readiness;
import ai.dalsi.gateway.metrics.GatewayMetrics;
import ai.dalsi.gateway.webhooks.WebhookTargets;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A {@code webhook_url} that points to this machine, a private network or a cloud metadata service
 * is refused when a key is created or changed (400 naming {@code webhook_url}), unless
 * {@code webhooks.allowPrivateTargets} is set; names are checked by what they resolve to.
 */
@ExtendWith(FreshDatabaseExtension.class)
class WebhookUrlSafetyIT {

    private static final String TOKEN = "webhook-safety-token-0123456789";
    /** Names resolve from this table only; anything else does not resolve. */
    private static final WebhookTargets.Resolver DNS = host -> {
        String a = Map.of("localhost", "127.0.0.1", "metadata.google.internal", "169.254.169.254",
                "hooks.example.com", "93.184.215.14").get(host);
        if (a == null) {
            throw new UnknownHostException(host);
        }
        return new InetAddress[] {InetAddress.getByName(a)};
    };

    private final TestDatabase db;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final Readiness readiness = new Readiness(List.of(), Duration.ofSeconds(1));
    private AdminServer server;

    WebhookUrlSafetyIT(TestDatabase db) {
        // The scopes a key may hold are those the catalog's products require.
        new ai.dalsi.gateway.testing.EdgeSeed(db.dsl()).standardCatalog();
        this.db = db;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        readiness.close();
        metrics.close();
    }

    private AdminHttp admin(boolean allowHttp, boolean allowPrivate) {
        AdminConfig config = AdminConfig.onPort(0).withToken(TOKEN);
        server = new AdminServer(config, new AdminApi(db.dsl(), Clock.systemUTC(), config, metrics, readiness,
                new WebhookTargets(allowHttp, allowPrivate, DNS))).start();
        return AdminHttp.anonymous(server.port()).withBearer(TOKEN);
    }

    private static String userId(AdminHttp admin) {
        return admin.post("/admin/users", AdminHttp.json("{'email':'" + java.util.UUID.randomUUID()
                + "@example.com'}")).json().get("id").asText();
    }

    private static AdminHttp.Response create(AdminHttp admin, String user, String url) {
        return admin.post("/admin/keys", AdminHttp.json("{'user_id':'" + user + "','name':'k','scopes':['ai.chat'],"
                + "'webhook_url':'" + url + "'}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "http://127.0.0.1/hook                       | points to 127.0.0.1, a loopback address",
        "http://127.0.0.1:8081/admin/keys            | points to 127.0.0.1, a loopback address",
        "http://169.254.169.254/latest/meta-data/    | points to 169.254.169.254, a cloud metadata address",
        "http://[fd00:ec2::254]/latest/meta-data/    | points to fd00:ec2::254, a cloud metadata address",
        "http://10.0.0.5/hook                        | points to 10.0.0.5, a private address",
        "http://[::1]:9000/hook                      | points to ::1, a loopback address",
        "http://localhost:9000/hook                  | resolves to 127.0.0.1, a loopback address",
        "http://metadata.google.internal/computeMetadata/v1/ | resolves to 169.254.169.254, a cloud metadata address",
    })
    void nonPublicTargetsAreRefusedOnSave(String url, String reason) {
        AdminHttp admin = admin(true, false);
        AdminHttp.Response r = create(admin, userId(admin), url);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("field").asText()).isEqualTo("webhook_url");
        assertThat(r.json().get("error").get("message").asText()).startsWith("webhook_url: \"" + url + "\" " + reason)
                .endsWith("(expected: an address on the public internet; webhooks.allowPrivateTargets allows others)");
    }

    @Test
    void changingAKeysWebhookIsCheckedTheSameWay() {
        AdminHttp admin = admin(true, false);
        AdminHttp.Response key = create(admin, userId(admin), "https://hooks.example.com/k");
        assertThat(key.status()).isEqualTo(201);
        String id = key.json().get("id").asText();
        AdminHttp.Response r = admin.patch("/admin/keys/" + id, AdminHttp.json("{'webhook_url':'http://169.254.169.254/'}"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").get("field").asText()).isEqualTo("webhook_url");
        assertThat(admin.get("/admin/keys/" + id).json().get("webhook_url").asText())
                .isEqualTo("https://hooks.example.com/k");
    }

    @Test
    void byDefaultOnlyHttpsToPublicAddressesAndPrivateTargetsWhenAllowed() {
        AdminHttp strict = admin(false, false);
        String user = userId(strict);
        AdminHttp.Response http = create(strict, user, "http://hooks.example.com/k");
        assertThat(http.status()).isEqualTo(400);
        assertThat(http.json().get("error").get("message").asText()).isEqualTo("webhook_url: \"http://hooks.example.com/k\""
                + " is not https (expected: an https:// URL; webhooks.allowHttp allows http://)");
        assertThat(create(strict, user, "https://hooks.example.com/k").status()).isEqualTo(201);
        assertThat(create(strict, user, "https://receiver-not-in-dns-yet.example/k").status())
                .as("checked again when sending").isEqualTo(201);
        server.close();

        AdminHttp open = admin(true, true);
        assertThat(create(open, user, "http://127.0.0.1/hook").status()).isEqualTo(201);
        assertThat(create(open, user, "http://169.254.169.254/").status()).isEqualTo(201);
    }
}
