package ai.dalsi.metering.ledger;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * The UTC month of each instant in a run of them, for loops over a batch's events: the events of a
 * batch nearly always fall in one month, so the month of the previous instant is kept with its
 * bounds and a date is worked out only when an instant falls outside them. One per loop; not
 * shared between threads.
 */
final class UtcMonths {

    private YearMonth month;
    private long fromSecond = Long.MAX_VALUE;
    private long toSecond = Long.MIN_VALUE;

    /** The UTC month {@code instant} falls in. */
    YearMonth of(Instant instant) {
        long s = instant.getEpochSecond();
        if (s < fromSecond || s >= toSecond) {
            month = YearMonth.from(instant.atOffset(ZoneOffset.UTC));
            fromSecond = month.atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
            toSecond = month.plusMonths(1).atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        }
        return month;
    }
}
