package ai.dalsi.gateway.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EchoTest {

    @Test
    void textIsQuotedEscapedAndCut() {
        assertThat(Echo.text("gold")).isEqualTo("\"gold\"");
        assertThat(Echo.text("a\u0000b\"c\\")).isEqualTo("\"a\\u0000b\\\"c\\\\\"");
        assertThat(Echo.text("\ud800x")).as("an unpaired surrogate made visible").isEqualTo("\"\\uD800x\"");
        assertThat(Echo.text("😀")).as("a pair is kept").isEqualTo("\"😀\"");
        assertThat(Echo.text("x".repeat(5000))).isEqualTo("\"" + "x".repeat(64) + "…\" (5000 characters)");
        assertThat(Echo.text(null)).isEqualTo("null");
    }

    @Test
    void namesAreEscapedAndCutWithoutQuotes() {
        assertThat(Echo.name("email")).isEqualTo("email");
        assertThat(Echo.name("a\u0000b")).isEqualTo("a\\u0000b");
        assertThat(Echo.name("n".repeat(100))).isEqualTo("n".repeat(64) + "…");
    }

    @ParameterizedTest
    @CsvSource({"-0.01, -0.01", "120, 120", "1000000.00000001, 1000000.00000001", "1e1000000, 1E+1000000",
            "-1e1000000, -1E+1000000", "1e999999999, 1E+999999999", "1e-1000000, 1E-1000000",
            "123456789012345678901234567890123456789012345678901234567890, 1.23456789E+59",
            "0.000000001, 0.000000001"})
    void numbersArePlainWhileShortAndNeverExpanded(BigDecimal n, String shown) {
        assertThat(Echo.number(n)).isEqualTo(shown);
    }

    @Test
    void thePlainLengthIsComputedNotBuilt() {
        for (String n : new String[] {"0", "-1", "0.001", "123.45", "-0.5", "1E+3", "12E-5", "100"}) {
            BigDecimal d = new BigDecimal(n);
            assertThat(Echo.plainLength(d)).as(n).isEqualTo(d.toPlainString().length());
        }
    }
}
