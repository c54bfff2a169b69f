package ai.dalsi.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.UuidV7;
import ai.dalsi.persistence.webhooks.WebhookEvent;
import ai.dalsi.persistence.webhooks.WebhookEventType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Which usage events become {@code key.rate_limited} events, and how many. */
class RateLimitNoticesTest {

    private static final UUID USER = UUID.randomUUID();
    private static final UUID KEY = UUID.randomUUID();
    private static final Instant T = Instant.parse("2030-05-06T07:08:09.500Z");

    static UsageEvent refused(UUID key, Instant at, int status, String message) {
        return refused(USER, key, at, status, message);
    }

    static UsageEvent refused(UUID user, UUID key, Instant at, int status, String message) {
        return UsageEvent.builder(UuidV7.at(at), user, key).endpoint("/v1/chat/completions").statusCode(status)
                .errorMessage(message).model("dalsi-chat").build();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "429 | Rate limit reached for requests per minute: limit 5. Please try again in 12s. | minute | requests",
        "429 | Rate limit reached for requests per hour: limit 100. Please try again in 1m0s.  | hour   | requests",
        "429 | Rate limit reached for tokens per day: limit 100000.                             | day    | tokens",
        "429 | Rate limit reached for dalsi-chat with API key dsk_live_ab12 on tokens per min (TPM): Limit 1000, Used 990, Requested 50. Please try again in 3s. | minute | tokens",
        "429 | Rate limit reached for dalsi-chat with API key dsk_live_ab12 on tokens per day (TPD): Limit 9000, Used 9000, Requested 5. Please try again in 2h0m0s. | day | tokens",
        "429 | Request too large for dalsi-chat with API key dsk_live_ab12 on tokens per min (TPM): Limit 1000, Requested 5000. The input or output tokens must be reduced in order to run successfully. | minute | tokens",
        "429 | You exceeded your monthly budget.                                                 | null   | null",
        "429 | Rate limit reached for requests permanently, per minutes: never.                  | null   | null",
        "429 | Rate limit reached for subrequests per minute.                                    | null   | null",
        "429 | null                                                                              | null   | null",
        "200 | null                                                                              | null   | null",
        "503 | Rate limits cannot be checked right now; please retry shortly.                    | null   | null",
    })
    void aRefusalNamingItsWindowIsARateLimit(int status, String message, String window, String type) {
        List<WebhookEvent> events = RateLimitNotices.of(List.of(refused(KEY, T, status, message)));
        if (window == null) {
            assertThat(events).isEmpty();
            return;
        }
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(WebhookEventType.KEY_RATE_LIMITED);
            assertThat(e.apiKeyId()).isEqualTo(KEY);
            assertThat(e.createdAt()).isEqualTo(T);
            assertThat(e.data()).containsEntry("window", window).containsEntry("limit_type", type)
                    .containsEntry("endpoint", "/v1/chat/completions").containsEntry("model", "dalsi-chat")
                    .containsEntry("first_refused_at", "2030-05-06T07:08:09.500Z");
        });
    }

    @Test
    void oneEventPerKeyAndWindowDatedByTheEarliestRefusal() {
        String perMinute = "Rate limit reached for requests per minute: limit 5.";
        UUID other = UUID.randomUUID();
        List<WebhookEvent> events = RateLimitNotices.of(List.of(
                refused(KEY, T.plusSeconds(10), 429, perMinute),
                refused(KEY, T, 429, perMinute),
                refused(KEY, T.plusSeconds(20), 429, perMinute),
                refused(other, T.plusSeconds(1), 429, perMinute),
                refused(KEY, T.plusSeconds(60), 429, perMinute)));
        assertThat(events).extracting(WebhookEvent::apiKeyId, WebhookEvent::createdAt).containsExactly(
                org.assertj.core.groups.Tuple.tuple(KEY, T),
                org.assertj.core.groups.Tuple.tuple(other, T.plusSeconds(1)),
                org.assertj.core.groups.Tuple.tuple(KEY, T.plusSeconds(60)));
        assertThat(events.get(0).data()).containsEntry("window_start", "2030-05-06T07:08:00.000Z")
                .containsEntry("window_end", "2030-05-06T07:09:00.000Z");
    }

    @Test
    void aRunOfOneMessageAndTheMessagesBetweenItAreEachReadForTheirOwnWindow() {
        String perMinute = "Rate limit reached for requests per minute: limit 5.";
        String budget = "You exceeded your monthly budget.";
        String perDay = "Rate limit reached for tokens per day: limit 100000.";
        List<WebhookEvent> events = RateLimitNotices.of(List.of(
                refused(KEY, T, 429, budget),
                refused(KEY, T, 429, budget),
                refused(KEY, T.plusSeconds(1), 429, perMinute),
                refused(KEY, T.plusSeconds(2), 429, perMinute),
                refused(KEY, T.plusSeconds(3), 403, perDay),
                refused(KEY, T.plusSeconds(4), 429, perDay),
                refused(KEY, T.plusSeconds(5), 429, budget),
                refused(KEY, T.plusSeconds(6), 429, new String(perMinute)),
                refused(KEY, T.plusSeconds(70), 429, perMinute)));
        assertThat(events).extracting(e -> e.data().get("window"), WebhookEvent::createdAt).containsExactly(
                org.assertj.core.groups.Tuple.tuple("minute", T.plusSeconds(1)),
                org.assertj.core.groups.Tuple.tuple("day", T.plusSeconds(4)),
                org.assertj.core.groups.Tuple.tuple("minute", T.plusSeconds(70)));
    }
}
