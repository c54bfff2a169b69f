package ai.dalsi.gateway.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a receiver does to trust a delivery, written from the Standard Webhooks specification (and
 * the README's example) rather than from the gateway's signer, so a signing mistake shows up as a
 * failed verification: HMAC-SHA256 with the bytes after {@code whsec_} over
 * {@code <webhook-id>.<webhook-timestamp>.<body>}, compared in constant time with each
 * {@code v1,<base64>} entry of {@code webhook-signature}, and a timestamp within five minutes.
 */
final class StandardWebhooksVerifier {

    private StandardWebhooksVerifier() {
    }

    static boolean verify(String secret, String id, String timestamp, String signatureHeader, byte[] body,
            Instant now) throws Exception {
        if (id == null || timestamp == null || signatureHeader == null) {
            return false;
        }
        long ts = Long.parseLong(timestamp);
        if (Math.abs(now.getEpochSecond() - ts) > 300) {
            return false;
        }
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] signedContent = (id + "." + timestamp + "." + new String(body, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        byte[] expected = Base64.getEncoder().encode(mac.doFinal(signedContent));
        for (String entry : signatureHeader.split(" ")) {
            if (entry.startsWith("v1,") && MessageDigest.isEqual(expected,
                    entry.substring(3).getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }

    static boolean verify(String secret, WebhookReceiver.Received r, Instant now) throws Exception {
        return verify(secret, r.header("webhook-id"), r.header("webhook-timestamp"), r.header("webhook-signature"),
                r.body(), now);
    }
}
