package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcFsTest {

    @Test
    void cpuTicksAreUtimePlusStimeEvenWhenTheCommandNameHasSpacesAndParentheses() {
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 5000 0 3 0 1234 567 8 9 20 0 30 0 100 "
                + "123456789 4000 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0";

        assertThat(ProcFs.parseCpuTicks(stat)).isEqualTo(1234 + 567);
    }

    @Test
    void peakRssIsVmHwmInKib() {
        String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  100000 kB\n";

        assertThat(ProcFs.parseVmHwmKb(status)).isEqualTo(204_800);
        assertThat(ProcFs.parseVmHwmKb("Name:\tzombie\n")).isZero();
    }

    @Test
    void measuresThisJvm() {
        ProcFs proc = ProcFs.open();
        long pid = ProcessHandle.current().pid();

        assertThat(proc.ticksPerSecond()).isPositive();
        assertThat(proc.cpuMicros(pid)).isPositive();
        assertThat(proc.peakRssKb(pid)).isGreaterThan(1024);
    }
}
