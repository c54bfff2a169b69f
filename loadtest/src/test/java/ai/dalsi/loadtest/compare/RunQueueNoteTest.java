package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunQueueNoteTest {

    @Test
    void aGeneratorKeptOffItsCpuIsNamedWithTheShareAndTheRate() {
        assertThat(Compare.runQueueNote("round 1/3 gateway", 0.22, 13970.4))
                .isEqualTo("'round 1/3 gateway': the generator was ready to run but waiting for its CPU 22% of the"
                        + " time (run queue), so 13970 req/s may be held down by what else ran there rather than by"
                        + " the arm");
    }

    @Test
    void aShortOrUnknownWaitIsNoNote() {
        assertThat(Compare.runQueueNote("round 1/3 nginx", Compare.RUN_QUEUE_NOTE, 30000)).isNull();
        assertThat(Compare.runQueueNote("round 1/3 nginx", 0.01, 30000)).isNull();
        assertThat(Compare.runQueueNote("round 1/3 nginx", -1, 30000)).isNull();
    }
}
