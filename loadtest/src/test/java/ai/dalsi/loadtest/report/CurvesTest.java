package ai.dalsi.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CurvesTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 100, 5_000, 200_000})
    void theCurveOnlyMovesForwardAndEndsAtTheMaximum(int count) {
        Histogram h = new Histogram(3);
        for (int i = 1; i <= count; i++) {
            h.recordValue(50 + (i * 7919L) % 10_000);
        }
        h.recordValue(1_000_000);

        List<double[]> curve = Curves.percentiles(h);

        for (int i = 1; i < curve.size(); i++) {
            assertThat(curve.get(i)[0]).isGreaterThan(curve.get(i - 1)[0]);
            assertThat(curve.get(i)[1]).isGreaterThanOrEqualTo(curve.get(i - 1)[1]);
        }
        assertThat(curve.get(curve.size() - 1)[1]).isEqualTo((double) h.getMaxValue());
        assertThat(curve.get(curve.size() - 1)[0]).isLessThanOrEqualTo(99.999);
    }

    @Test
    void summaryHasTheUsualPercentiles() {
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i);
        }
        assertThat(Curves.summary(h)).containsEntry("p50", 500L).containsEntry("p99", 990L).containsEntry("max", 1000L)
                .containsKeys("p90", "p99.9");
        assertThat(Curves.summary(new Histogram(3))).isEmpty();
    }
}
