package ai.dalsi.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.UuidV7;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private static UsageEvent full() {
        Instant at = Instant.parse("2026-11-24T10:00:00.123Z");
        return UsageEvent.builder(UuidV7.at(at), UUID.randomUUID(), UUID.randomUUID())
                .endpoint("/v1/chat/completions").method("POST").statusCode(200).responseTimeMs(1234)
                .requestSizeBytes(5_000_000_000L).responseSizeBytes(42).clientIp("2001:db8::1")
                .usage(new TokenUsage(100, 200, 3, true, 40, 60)).costUsd(new BigDecimal("1.23456789"))
                .subscriptionTier("enterprise").errorMessage("naïve “quotes” and emoji \uD83D\uDE00")
                .userAgent("OpenAI/Python 1.54").rateLimitRemaining(7).rateLimitReset(at.plusNanos(123_456_789))
                .model("dalsi-chat").product("ai.chat").stream(true).backendLatencyMs(99).clientAborted(true)
                .backend("https://llm.internal:8443/openai").attempts(2).build();
    }

    private static EventCodec.Journaled roundTrip(UsageEvent e, long at) {
        EventCodec.Scratch s = new EventCodec.Scratch();
        int n = EventCodec.encode(e, at, s);
        return EventCodec.decode(ByteBuffer.wrap(Arrays.copyOf(s.bytes(), n)));
    }

    @Test
    void everyFieldSurvivesTheRoundTrip() {
        UsageEvent e = full();
        EventCodec.Journaled back = roundTrip(e, 1_764_000_000_000L);
        assertThat(back.event()).isEqualTo(e);
        assertThat(back.journaledAtMillis()).isEqualTo(1_764_000_000_000L);
    }

    @Test
    void aVersionOneRecordLeftInAnOlderJournalIsStillRead() {
        UsageEvent e = full();
        EventCodec.Scratch s = new EventCodec.Scratch();
        int n = EventCodec.encode(e, 7, s);
        // Version 1 is version 2 without its last fields: three ints and the backend string.
        int tail = 4 * 3 + 4 + e.backend().length();
        byte[] v1 = Arrays.copyOf(s.bytes(), n - tail);
        v1[0] = EventCodec.VERSION_1;
        UsageEvent back = EventCodec.decode(v1).event();
        assertThat(back.usage()).isEqualTo(new TokenUsage(100, 200, 3, true));
        assertThat(back.backend()).isNull();
        assertThat(back.attempts()).isZero();
        assertThat(back.requestId()).isEqualTo(e.requestId());
        assertThat(back.product()).isEqualTo("ai.chat");
    }

    @Test
    void nullsAndDefaultsSurviveToo() {
        UsageEvent e = UsageEvent.builder(UuidV7.at(Instant.now()), UUID.randomUUID(), UUID.randomUUID())
                .statusCode(401).build();
        assertThat(roundTrip(e, 1).event()).isEqualTo(e);
    }

    @Test
    void aRefusalSaysSoAndOtherEventsDoNot() {
        UsageEvent refused = UsageEvent.builder(UuidV7.at(Instant.now()), UUID.randomUUID(), UUID.randomUUID())
                .statusCode(429).refused(true).build();
        assertThat(roundTrip(refused, 1).event().refused()).isTrue();
        assertThat(roundTrip(full(), 1).event().refused()).isFalse();
    }

    private static UsageEvent refusal(int status, String message) {
        Instant at = Instant.parse("2026-11-24T10:00:00.123Z");
        return UsageEvent.builder(UuidV7.at(at), UUID.randomUUID(), UUID.randomUUID()).endpoint("/v1/chat/completions")
                .method("POST").statusCode(status).responseTimeMs(1).requestSizeBytes(180).responseSizeBytes(220)
                .clientIp("203.0.113.9").subscriptionTier("free").errorMessage(message).userAgent("OpenAI/Python 1.54")
                .rateLimitRemaining(0).rateLimitReset(at.plusSeconds(30)).model("dalsi-chat").product("ai.chat")
                .refused(true).build();
    }

    private static EventCodec.Journaled countedRoundTrip(UsageEvent e) {
        EventCodec.Scratch s = new EventCodec.Scratch();
        int n = EventCodec.encodeCounted(e, 1_764_000_000_000L, s);
        return EventCodec.decode(Arrays.copyOf(s.bytes(), n));
    }

    @Test
    void aCountedRefusalKeepsWhatItsCountsLastUseAndNoticesReadInUnderHalfTheBytes() {
        List<String> messages = List.of(
                "Rate limit reached for requests per minute: limit 2. Please try again in 30s.",
                "Rate limit reached for requests per hour: limit 100. Please try again in 40m.",
                "Rate limit reached for requests per day: limit 1000. Please try again in 5h.",
                "Rate limit reached for gpt-4o with API key dsk_live_AbC on tokens per min (TPM): Limit 1000, Used 700,"
                        + " Requested 400. Please try again in 6s.",
                "Rate limit reached for gpt-4o with API key dsk_live_AbC on tokens per hour (TPH): Limit 1000, Used 700,"
                        + " Requested 400. Please try again in 6m.",
                "Request too large for gpt-4o with API key dsk_live_AbC on tokens per day (TPD): Limit 1000,"
                        + " Requested 4400. The input or output tokens must be reduced in order to run successfully.",
                "You exceeded your current quota, please check your plan and billing details.");
        Set<RateLimitNotices.Named> seen = new HashSet<>();
        for (String message : messages) {
            UsageEvent e = refusal(429, message);
            assertThat(EventCodec.countable(e)).isTrue();
            EventCodec.Journaled back = countedRoundTrip(e);
            UsageEvent c = back.event();
            assertThat(back.countedOnly()).isTrue();
            assertThat(back.journaledAtMillis()).isEqualTo(1_764_000_000_000L);
            assertThat(List.of(c.requestId(), c.userId(), c.apiKeyId(), c.endpoint(), c.method(), c.statusCode(),
                    c.clientIp(), c.model(), c.refused(), c.usage(), c.costUsd()))
                    .isEqualTo(List.of(e.requestId(), e.userId(), e.apiKeyId(), e.endpoint(), e.method(), 429,
                            e.clientIp(), e.model(), true, TokenUsage.NONE, e.costUsd()));
            RateLimitNotices.Named named = RateLimitNotices.named(message);
            assertThat(c.errorMessage() == null ? null : RateLimitNotices.named(c.errorMessage()))
                    .as(message).isEqualTo(named);
            seen.add(named);
            EventCodec.Scratch whole = new EventCodec.Scratch();
            assertThat(2 * EventCodec.encodeCounted(e, 1, new EventCodec.Scratch()))
                    .isLessThan(EventCodec.encode(e, 1, whole));
        }
        assertThat(seen).as("six limits and none").hasSize(7);
        assertThat(countedRoundTrip(refusal(403, "This key may not use this product.")).event().errorMessage()).isNull();
        assertThat(countedRoundTrip(refusal(404, null)).event().statusCode()).isEqualTo(404);
    }

    @Test
    void onlyARefusalWithoutTokensOrCostIsJournaledAsCounted() {
        UsageEvent r = refusal(429, "Rate limit reached for requests per minute: limit 2. Please try again in 30s.");
        assertThat(EventCodec.countable(r)).isTrue();
        assertThat(EventCodec.countable(full())).isFalse();
        UsageEvent withTokens = new UsageEvent(r.requestId(), r.userId(), r.apiKeyId(), r.endpoint(), r.method(),
                r.statusCode(), 0, 0, 0, null, new TokenUsage(10, 0, 0, true), r.costUsd(), null, null, null, null, null,
                null, null, false, null, false, null, 0, true);
        assertThat(EventCodec.countable(withTokens)).isFalse();
        UsageEvent withCost = new UsageEvent(r.requestId(), r.userId(), r.apiKeyId(), r.endpoint(), r.method(),
                r.statusCode(), 0, 0, 0, null, TokenUsage.NONE, new BigDecimal("0.00000001"), null, null, null, null, null,
                null, null, false, null, false, null, 0, true);
        assertThat(EventCodec.countable(withCost)).isFalse();
        assertThat(roundTrip(r, 1).countedOnly()).as("a refusal journaled whole may become an example").isFalse();
    }

    @Test
    void aDamagedCountedRefusalIsRejectedWithAReason() {
        EventCodec.Scratch s = new EventCodec.Scratch();
        int n = EventCodec.encodeCounted(refusal(429, "Rate limit reached for requests per day: limit 9."), 1, s);
        byte[] bytes = Arrays.copyOf(s.bytes(), n);
        assertThatThrownBy(() -> EventCodec.decode(Arrays.copyOf(bytes, n - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventCodec.decode(Arrays.copyOf(bytes, n + 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing");
        byte[] unknownLimit = bytes.clone();
        unknownLimit[1 + 8 + 48 + 2] = 7;
        assertThatThrownBy(() -> EventCodec.decode(unknownLimit)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rate limit 7");
    }

    @Test
    void costsBeyondSixtyThreeBitsAreKeptExactly() {
        UsageEvent base = full();
        UsageEvent big = new UsageEvent(base.requestId(), base.userId(), base.apiKeyId(), base.endpoint(),
                base.method(), 200, 1, 1, 1, null, TokenUsage.NONE, new BigDecimal("123456789012345678901.12345678"),
                null, null, null, null, null, null, null, false, null, false, null, 0, false);
        assertThat(roundTrip(big, 1).event().costUsd()).isEqualTo(new BigDecimal("123456789012345678901.12345678"));
    }

    @Test
    void veryLongStringsAreCut() {
        UsageEvent base = full();
        String huge = "é".repeat(EventCodec.MAX_STRING_CHARS + 10);
        UsageEvent e = new UsageEvent(base.requestId(), base.userId(), base.apiKeyId(), base.endpoint(), base.method(),
                500, 1, 1, 1, null, TokenUsage.NONE, BigDecimal.ZERO, null, huge, "a".repeat(100_000), null, null, null,
                null, false, null, false, null, 0, false);
        UsageEvent back = roundTrip(e, 1).event();
        assertThat(back.errorMessage()).hasSize(EventCodec.MAX_STRING_CHARS);
        assertThat(back.userAgent()).hasSize(EventCodec.MAX_STRING_CHARS);
    }

    @Test
    void stringsOfEveryLengthAroundTheShortPathAndOfEveryKindOfCharacterSurvive() {
        // Short ASCII strings are written by hand, the rest by the JDK's UTF-8 encoder: the same bytes.
        String[] kinds = {"a", "é", "Ā", "中", "\uD83D\uDE00"};
        UsageEvent base = full();
        EventCodec.Scratch reused = new EventCodec.Scratch();
        for (String kind : kinds) {
            for (int n = 0; n <= 2 * EventCodec.SHORT_STRING_CHARS + 2; n++) {
                // ASCII up to the last char, which is of the kind: a non-ASCII char found late.
                String value = "x".repeat(Math.max(0, n - kind.length())) + (n >= kind.length() ? kind : "");
                UsageEvent e = withMessageAndAgent(base, value, value.toUpperCase(java.util.Locale.ROOT));
                int length = EventCodec.encode(e, 1, reused);
                UsageEvent back = EventCodec.decode(Arrays.copyOf(reused.bytes(), length)).event();
                assertThat(back).as("%s x %d", kind, n).isEqualTo(e);
                assertThat(back.errorMessage().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void unknownVersionsAndDamagedRecordsAreRejectedWithAReason() {
        EventCodec.Scratch s = new EventCodec.Scratch();
        int n = EventCodec.encode(full(), 1, s);
        byte[] bytes = Arrays.copyOf(s.bytes(), n);
        byte[] v4 = bytes.clone();
        v4[0] = 4;
        assertThatThrownBy(() -> EventCodec.decode(v4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown usage record version 4");
        assertThatThrownBy(() -> EventCodec.decode(Arrays.copyOf(bytes, n - 5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventCodec.decode(Arrays.copyOf(bytes, n + 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing");
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[r.nextInt(1, 300)];
            r.nextBytes(junk);
            junk[0] = 1;
            assertThatThrownBy(() -> EventCodec.decode(junk)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theScratchBufferIsReusedAndGrows() {
        EventCodec.Scratch s = new EventCodec.Scratch();
        UsageEvent e = full();
        int first = EventCodec.encode(e, 1, s);
        int again = EventCodec.encode(e, 1, s);
        assertThat(again).isEqualTo(first);
        assertThat(first).isBetween(150, 400);
    }

    private static ByteBuffer encoded(UsageEvent e) {
        EventCodec.Scratch s = new EventCodec.Scratch();
        int n = EventCodec.encode(e, 1, s);
        return ByteBuffer.wrap(Arrays.copyOf(s.bytes(), n));
    }

    private static UsageEvent withMessageAndAgent(UsageEvent b, String message, String agent) {
        return new UsageEvent(UuidV7.at(Instant.parse("2026-11-24T10:00:00Z")), b.userId(), b.apiKeyId(), b.endpoint(),
                b.method(), 429, 1, 1, 1, b.clientIp(), TokenUsage.NONE, BigDecimal.ZERO, b.subscriptionTier(), message,
                agent, 0, null, b.model(), b.product(), false, null, false, null, 0, true);
    }

    @Test
    void aReaderReusesTheStringOfAFieldThatRepeatsAndDecodesEveryOtherValueExactly() {
        EventCodec.DecodeBuffers buffers = new EventCodec.DecodeBuffers();
        UsageEvent base = full();
        UsageEvent first = EventCodec.decode(encoded(base), buffers).event();
        UsageEvent second = EventCodec.decode(encoded(base), buffers).event();
        assertThat(second).isEqualTo(base);
        assertThat(second.endpoint()).isSameAs(first.endpoint());
        assertThat(second.userAgent()).isSameAs(first.userAgent());
        assertThat(second.errorMessage()).isSameAs(first.errorMessage());
        // Values that change from record to record, of the same length and of others, and nulls.
        String[] messages = {"Rate limit reached: try again in 10ms", "Rate limit reached: try again in 20ms",
                "x", null, "Rate limit reached: try again in 20ms", "naïve", "naïvf"};
        String[] agents = {"a/1", null, "a/2", "a/2", "OpenAI/Python 1.54", "", "a/1"};
        for (int i = 0; i < messages.length; i++) {
            UsageEvent e = withMessageAndAgent(base, messages[i], agents[i]);
            assertThat(EventCodec.decode(encoded(e), buffers).event()).isEqualTo(e);
        }
    }

    @Test
    void aReaderNeverReadsPastTheRecordIntoItsReusedBuffer() {
        EventCodec.DecodeBuffers buffers = new EventCodec.DecodeBuffers();
        UsageEvent e = full();
        ByteBuffer whole = encoded(e);
        assertThat(EventCodec.decode(whole.duplicate(), buffers).event()).isEqualTo(e);
        // The same record cut short: the bytes after the cut are still in the reader's buffer from the
        // record before, and must not complete it.
        for (int cut = 1; cut < whole.remaining(); cut += 7) {
            ByteBuffer shorter = whole.duplicate().limit(whole.remaining() - cut);
            assertThatThrownBy(() -> EventCodec.decode(shorter, buffers)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(EventCodec.decode(whole.duplicate(), buffers).event()).isEqualTo(e);
    }
}
