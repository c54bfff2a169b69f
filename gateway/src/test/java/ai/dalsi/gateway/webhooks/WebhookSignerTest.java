package ai.dalsi.gateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The signature scheme, against the Standard Webhooks test vector and an independent verifier. */
class WebhookSignerTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static WebhookSigner signer() {
        return new WebhookSigner(Base64.getDecoder().decode(SECRET.substring(6)));
    }

    @Test
    void matchesTheStandardWebhooksTestVector() {
        assertThat(signer().sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void headersVerifyAndAnyChangeBreaksThem() throws Exception {
        byte[] body = "{\"id\":\"e1\",\"type\":\"key.revoked\"}".getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.ofEpochSecond(1_900_000_000L);
        var h = signer().headers("e1", now.getEpochSecond(), body);
        assertThat(h).containsOnlyKeys("webhook-id", "webhook-timestamp", "webhook-signature");
        assertThat(StandardWebhooksVerifier.verify(SECRET, h.get("webhook-id"), h.get("webhook-timestamp"),
                h.get("webhook-signature"), body, now)).isTrue();

        byte[] tampered = "{\"id\":\"e1\",\"type\":\"key.rotated\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(StandardWebhooksVerifier.verify(SECRET, "e1", h.get("webhook-timestamp"),
                h.get("webhook-signature"), tampered, now)).as("body changed").isFalse();
        assertThat(StandardWebhooksVerifier.verify(SECRET, "e2", h.get("webhook-timestamp"),
                h.get("webhook-signature"), body, now)).as("id changed").isFalse();
        assertThat(StandardWebhooksVerifier.verify(SECRET, "e1", Long.toString(now.getEpochSecond() + 1),
                h.get("webhook-signature"), body, now)).as("timestamp changed").isFalse();
        assertThat(StandardWebhooksVerifier.verify("whsec_" + Base64.getEncoder().encodeToString(new byte[24]),
                "e1", h.get("webhook-timestamp"), h.get("webhook-signature"), body, now)).as("other secret").isFalse();
        assertThat(StandardWebhooksVerifier.verify(SECRET, "e1", h.get("webhook-timestamp"),
                h.get("webhook-signature"), body, now.plusSeconds(301))).as("too old").isFalse();
        assertThat(signer().toString()).doesNotContain("MfKQ9r8G");
    }
}
