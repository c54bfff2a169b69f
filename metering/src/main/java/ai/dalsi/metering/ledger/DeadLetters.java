package ai.dalsi.metering.ledger;

import ai.dalsi.metering.UsageEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where events go that can never be stored: PostgreSQL rejected them for good (a constraint they
 * break, e.g. a key deleted meanwhile) or their journal record cannot be decoded (written by a
 * newer gateway). Nothing is dropped silently: each one becomes a JSON line in
 * {@value #FILE} in the journal directory (every field of the event, or the record in base64, and
 * the reason), forced to disk, logged at ERROR and counted, so an operator can repair and replay
 * it. Used by the writer thread only.
 */
final class DeadLetters {

    static final String FILE = "rejected-events.jsonl";
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Clock clock;

    DeadLetters(Path directory, Clock clock) {
        this.file = directory.resolve(FILE);
        this.clock = clock;
    }

    void reject(UsageEvent e, String reason) {
        log.error("metering: request {} of key {} can never be stored ({}); kept in {}", e.requestId(), e.apiKeyId(),
                reason, file);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("request_id", e.requestId().toString());
        event.put("user_id", e.userId().toString());
        event.put("api_key_id", e.apiKeyId().toString());
        event.put("created_at", e.createdAt().toString());
        event.put("endpoint", e.endpoint());
        event.put("method", e.method());
        event.put("status_code", e.statusCode());
        event.put("response_time_ms", e.responseTimeMs());
        event.put("request_size_bytes", e.requestSizeBytes());
        event.put("response_size_bytes", e.responseSizeBytes());
        event.put("client_ip", e.clientIp());
        event.put("prompt_tokens", e.usage().promptTokens());
        event.put("completion_tokens", e.usage().completionTokens());
        event.put("images", e.usage().images());
        event.put("usage_estimated", e.usage().estimated());
        event.put("cost_usd", e.costUsd().toPlainString());
        event.put("subscription_tier", e.subscriptionTier());
        event.put("error_message", e.errorMessage());
        event.put("user_agent", e.userAgent());
        event.put("rate_limit_remaining", e.rateLimitRemaining());
        event.put("rate_limit_reset", e.rateLimitReset() == null ? null : e.rateLimitReset().toString());
        event.put("model", e.model());
        event.put("product", e.product());
        event.put("stream", e.stream());
        event.put("backend_latency_ms", e.backendLatencyMs());
        event.put("client_aborted", e.clientAborted());
        write(reason, "event", event);
    }

    void rejectRecord(ByteBuffer payload, String reason) {
        log.error("metering: a journal record cannot be read ({}); kept in {}", reason, file);
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        write(reason, "record_base64", Base64.getEncoder().encodeToString(bytes));
    }

    private void write(String reason, String key, Object value) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("rejected_at", clock.instant().toString());
        line.put("reason", reason);
        line.put(key, value);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            // The line above already carries everything about the event; the log keeps it then.
            log.error("metering: cannot write {} ({}); the rejected event is only in this log: {}", file, e, line);
        }
    }
}
