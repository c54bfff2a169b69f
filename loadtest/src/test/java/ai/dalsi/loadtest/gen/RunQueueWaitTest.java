package ai.dalsi.loadtest.gen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RunQueueWaitTest {

    @Test
    void theWaitIsTheSecondOfSchedstatsThreeNumbers() {
        // on-CPU time, run-queue wait, time slices: as /proc/thread-self/schedstat writes them.
        assertThat(RunQueueWait.parse("1834512077 52113800 9120\n")).isEqualTo(52_113_800L);
        assertThat(RunQueueWait.parse("0 0 0")).isZero();
    }

    @Test
    void aMalformedOrShortLineIsUnknownNotZero() {
        assertThat(RunQueueWait.parse("")).isEqualTo(-1);
        assertThat(RunQueueWait.parse("1834512077")).isEqualTo(-1);
        assertThat(RunQueueWait.parse("1834512077 x 9120")).isEqualTo(-1);
        assertThat(RunQueueWait.parse("1834512077 -5 9120")).isEqualTo(-1);
    }

    @Test
    void aThreadCrowdedOffItsCpusByBusyThreadsWaitsOnTheRunQueue() throws Exception {
        // Twice as many spinning threads as CPUs, plus this one: the kernel makes each wait its turn.
        int spinners = Runtime.getRuntime().availableProcessors() * 2;
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < spinners; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
            });
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        long before = RunQueueWait.ofCurrentThread();
        try {
            long end = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
        }
        long after = RunQueueWait.ofCurrentThread();

        // The gateway and its load tools run on Linux, where every thread has a schedstat.
        assertThat(before).isNotNegative();
        // Taking turns with 2N spinners on N CPUs it waits about 180 ms of the 300; 10 ms is a wide margin.
        assertThat(after - before).isGreaterThan(10_000_000L);
    }
}
