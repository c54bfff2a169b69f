package ai.dalsi.gateway.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs deliveries the Standard Webhooks way (https://www.standardwebhooks.com): the signed content
 * is {@code <webhook-id>.<webhook-timestamp>.<body>}, the signature its HMAC-SHA256 under the
 * deployment's secret (the bytes after {@code whsec_}), in base64, sent as
 * {@code webhook-signature: v1,<signature>}. The id ties the signature to one event and the
 * timestamp (seconds) lets a receiver refuse old replays. The key never leaves this object.
 */
final class WebhookSigner {

    static final String ID = "webhook-id";
    static final String TIMESTAMP = "webhook-timestamp";
    static final String SIGNATURE = "webhook-signature";

    private final SecretKeySpec key;

    WebhookSigner(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    /** {@code v1,<base64 HMAC-SHA256 of id.timestamp.body>}. */
    String sign(String id, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The three headers of one signed delivery. */
    Map<String, String> headers(String id, long timestampSeconds, byte[] body) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(ID, id);
        h.put(TIMESTAMP, Long.toString(timestampSeconds));
        h.put(SIGNATURE, sign(id, timestampSeconds, body));
        return h;
    }

    @Override
    public String toString() {
        return "WebhookSigner[key=***]";
    }
}
