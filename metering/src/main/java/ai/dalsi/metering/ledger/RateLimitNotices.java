package ai.dalsi.metering.ledger;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.webhooks.LimitWindow;
import ai.dalsi.persistence.webhooks.WebhookEvent;
import ai.dalsi.persistence.webhooks.WebhookOutbox;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;

/**
 * The {@code key.rate_limited} webhook events of a batch, put into the outbox in the batch's own
 * transaction: so an event exists exactly when refused requests of its key and window are in the
 * ledger, whichever node wrote them and however often a batch is replayed (the outbox keeps one
 * event per key and UTC window, {@link WebhookEvent#keyRateLimited}).
 *
 * <p>A refusal is a 429 whose message names its window, as the edge's rate-limit refusals do
 * ("Rate limit reached for requests per minute: ..."). Other 429s (a monthly budget) are not rate
 * limits. Keys without a {@code webhook_url} get nothing ({@link WebhookOutbox#enqueue} skips them);
 * a batch without refusals costs no statement.
 */
final class RateLimitNotices {

    private static final Pattern LIMIT = Pattern.compile("for (requests|tokens) per (minute|hour|day)\\b");

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
        for (UsageEvent e : events) {
            if (e.statusCode() != 429 || e.errorMessage() == null) {
                continue;
            }
            Matcher m = LIMIT.matcher(e.errorMessage());
            if (!m.find()) {
                continue;
            }
            LimitWindow window = LimitWindow.valueOf(m.group(2).toUpperCase(Locale.ROOT));
            Earliest candidate = new Earliest(e, window, m.group(1));
            first.merge(new Window(e.apiKeyId(), window, window.start(e.createdAt())), candidate,
                    (a, b) -> b.refusal.createdAt().isBefore(a.refusal.createdAt()) ? b : a);
        }
        List<WebhookEvent> out = new ArrayList<>(first.size());
        for (Earliest f : first.values()) {
            UsageEvent e = f.refusal;
            out.add(WebhookEvent.keyRateLimited(e.apiKeyId(), f.window, f.limitType, e.createdAt(), e.endpoint(),
                    e.model()));
        }
        return out;
    }

    /** What {@link WebhookEvent#keyRateLimited} dedupes on: the key, the window and its start. */
    private record Window(UUID keyId, LimitWindow window, Instant start) {
    }

    private record Earliest(UsageEvent refusal, LimitWindow window, String limitType) {
    }
}
