package ai.dalsi.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The UTC month of each instant, whichever month came before it. */
class UtcMonthsTest {

    @Test
    void eachInstantGetsItsOwnMonthAcrossEveryBoundaryAndInAnyOrder() {
        List<String> instants = List.of(
                "2026-11-30T23:59:59.999999999Z", "2026-12-01T00:00:00Z", "2026-11-30T23:59:59Z",
                "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00Z", "2026-12-15T12:00:00Z",
                "2024-02-29T23:59:59Z", "2024-03-01T00:00:00Z", "2024-02-01T00:00:00Z", "2024-01-31T23:59:59Z",
                "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "1969-12-01T00:00:00Z", "1969-11-30T23:59:59Z");
        UtcMonths months = new UtcMonths();
        for (String text : instants) {
            Instant at = Instant.parse(text);
            assertThat(months.of(at)).as(text).isEqualTo(YearMonth.from(at.atOffset(ZoneOffset.UTC)));
        }
    }

    @Test
    void instantsOfOneMonthShareItsValue() {
        UtcMonths months = new UtcMonths();
        YearMonth first = months.of(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(months.of(Instant.parse("2026-12-31T23:59:59Z"))).isSameAs(first);
        assertThat(months.of(Instant.parse("2027-01-01T00:00:00Z"))).isEqualTo(YearMonth.of(2027, 1));
    }
}
