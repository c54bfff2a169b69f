package ai.dalsi.metering.ledger;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.webhooks.LimitWindow;
import ai.dalsi.persistence.webhooks.WebhookEvent;
import ai.dalsi.persistence.webhooks.WebhookOutbox;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The {@code key.rate_limited} webhook events of a batch, put into the outbox in the batch's own
 * transaction: so an event exists exactly when refused requests of its key and window are in the
 * ledger, whichever node wrote them and however often a batch is replayed (the outbox keeps one
 * event per key and UTC window, {@link WebhookEvent#keyRateLimited}).
 *
 * <p>A refusal is a 429 whose message names its window, as the edge's rate-limit refusals do
 * ("Rate limit reached for requests per minute: ...", "... on tokens per min (TPM): ..."). Other
 * 429s (a monthly budget) are not rate limits. The message is read with a few string
 * comparisons, not a regular expression: a refusal flood puts tens of thousands of them through
 * the writer every second. Keys without a {@code webhook_url} get nothing ({@link WebhookOutbox#enqueue} skips them);
 * a batch without refusals costs no statement.
 */
final class RateLimitNotices {

    private static final String PER = " per ";
    private static final String REQUESTS = "requests";
    private static final String TOKENS = "tokens";

    private RateLimitNotices() {
    }

    /** Adds the batch's events to the outbox in {@code tx}. */
    static void enqueue(DSLContext tx, Batch batch) {
        List<WebhookEvent> events = of(batch.events());
        if (!events.isEmpty()) {
            WebhookOutbox.enqueue(tx, events);
        }
    }

    /** One event per key and window refused in {@code events}, dated by its earliest refusal. */
    static List<WebhookEvent> of(List<UsageEvent> events) {
        // The earliest refusal per key and window first, then one event each: a flood of refusals
        // from a few keys builds (and formats the timestamps of) a few events, not one per refusal.
        Map<Window, Earliest> first = new LinkedHashMap<>();
        // The journal's reader hands out one String for a message repeated from the event before,
        // so a run of alike refusals reads its message once.
        String lastMessage = null;
        Named lastNamed = null;
        for (UsageEvent e : events) {
            String message = e.errorMessage();
            if (e.statusCode() != 429 || message == null) {
                continue;
            }
            Named named;
            if (message == lastMessage) {
                named = lastNamed;
            } else {
                named = named(message);
                lastMessage = message;
                lastNamed = named;
            }
            if (named == null) {
                continue;
            }
            LimitWindow window = named.window();
            first.merge(new Window(e.apiKeyId(), window, window.start(e.createdAt())),
                    new Earliest(e, named),
                    (a, b) -> b.refusal.createdAt().isBefore(a.refusal.createdAt()) ? b : a);
        }
        List<WebhookEvent> out = new ArrayList<>(first.size());
        for (Earliest f : first.values()) {
            UsageEvent e = f.refusal;
            out.add(WebhookEvent.keyRateLimited(e.apiKeyId(), f.limit.window(), f.limit.limitType(), e.createdAt(),
                    e.endpoint(), e.model()));
        }
        return out;
    }

    /**
     * The limit a refusal's message names: "requests per minute|hour|day" or "tokens per
     * min|minute|day", each word whole; null when it names none.
     */
    static Named named(String message) {
        for (int at = message.indexOf(PER); at >= 0; at = message.indexOf(PER, at + 1)) {
            String type = wordEndingAt(message, at, REQUESTS) ? REQUESTS
                    : wordEndingAt(message, at, TOKENS) ? TOKENS : null;
            if (type == null) {
                continue;
            }
            int from = at + PER.length();
            LimitWindow window = wordAt(message, from, "minute") || wordAt(message, from, "min") ? LimitWindow.MINUTE
                    : wordAt(message, from, "hour") ? LimitWindow.HOUR
                    : wordAt(message, from, "day") ? LimitWindow.DAY : null;
            if (window != null) {
                return new Named(window, type);
            }
        }
        return null;
    }

    private static boolean wordEndingAt(String s, int end, String word) {
        int start = end - word.length();
        return start >= 0 && s.startsWith(word, start) && (start == 0 || !wordChar(s.charAt(start - 1)));
    }

    private static boolean wordAt(String s, int start, String word) {
        int end = start + word.length();
        return s.startsWith(word, start) && (end == s.length() || !wordChar(s.charAt(end)));
    }

    private static boolean wordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    /** A window and what it counts ({@code requests} or {@code tokens}). */
    record Named(LimitWindow window, String limitType) {
    }

    /** What {@link WebhookEvent#keyRateLimited} dedupes on: the key, the window and its start. */
    private record Window(UUID keyId, LimitWindow window, Instant start) {
    }

    private record Earliest(UsageEvent refusal, Named limit) {
    }
}
