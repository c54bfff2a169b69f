package ai.dalsi.metering.ledger;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes instants into a COPY CSV line as PostgreSQL reads a {@code timestamptz}:
 * {@code 2026-12-05 00:03:08.123456789+00}. The date and hour are formatted by
 * {@link DateTimeFormatter} once per hour and reused (a batch's instants nearly all share a
 * few hours); only minutes, seconds and the fraction are appended per instant, which spares the
 * writer a full ISO formatting three times per row. All nine digits of the fraction are written
 * when there is one, so PostgreSQL rounds to its microseconds exactly as it does for
 * {@link Instant#toString()}. One per column and batch: not thread-safe.
 */
final class CsvInstants {

    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:");
    private static final long NO_HOUR = Long.MIN_VALUE;

    private long hourStart = NO_HOUR;
    private String hourText;

    /** Appends {@code t}; nothing for null (CSV's NULL). */
    void append(StringBuilder sb, Instant t) {
        if (t == null) {
            return;
        }
        long seconds = t.getEpochSecond();
        long hour = Math.floorDiv(seconds, 3600L) * 3600L;
        if (hour != hourStart) {
            hourText = HOUR.format(LocalDateTime.ofEpochSecond(hour, 0, ZoneOffset.UTC));
            hourStart = hour;
        }
        int inHour = (int) (seconds - hour);
        sb.append(hourText);
        twoDigits(sb, inHour / 60);
        sb.append(':');
        twoDigits(sb, inHour % 60);
        int nanos = t.getNano();
        if (nanos != 0) {
            sb.append('.');
            for (int unit = 100_000_000; unit > 0; unit /= 10) {
                sb.append((char) ('0' + nanos / unit % 10));
            }
        }
        sb.append("+00");
    }

    private static void twoDigits(StringBuilder sb, int v) {
        sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }
}
