package ai.dalsi.gateway.testing;

import ai.dalsi.persistence.testing.Eventually;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reported a {@code ByteBuf} that was never released.
 * Use it on every test class that touches buffers: {@code @ExtendWith(NettyLeakExtension.class)}.
 *
 * <p>Netty only notices a leak when the garbage collector has collected the leaked buffer and a
 * later allocation polls the detector's queue, and then it merely logs. So after each test this
 * extension drops a "canary" buffer on purpose, runs the collector and allocates until the canary
 * is reported (proof that everything unreachable before it was looked at too), and fails with the
 * access records of any other leak. The canary shows up in the log as a LEAK error whose hint
 * names this class; it is not a bug. Runs with the detector at PARANOID (the build's default), so
 * every buffer is tracked.
 */
public final class NettyLeakExtension implements BeforeAllCallback, AfterEachCallback {

    private static final String CANARY = "deliberate leak-detection canary of NettyLeakExtension, not a bug: ";

    /**
     * Netty's leak listener is one hook for the whole JVM, so what it reports is kept for the JVM
     * too; the extension instances only read and clear it.
     */
    private static final Recorder RECORDER = new Recorder();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ByteBufUtil.setLeakListener(RECORDER);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // The static initializer did the work; touching the class is enough.
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertNoLeaks();
    }

    /** Collects garbage until Netty has looked at every buffer dropped so far; fails if any leaked. */
    public static void assertNoLeaks() {
        String canary = CANARY + UUID.randomUUID();
        // On a thread of its own, so its access record (logged as a LEAK) is a few lines, not a JUnit stack.
        Thread dropper = new Thread(() -> dropCanary(canary), "leak-canary");
        dropper.start();
        try {
            dropper.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        Eventually.await("Netty reported the leak-detection canary", Duration.ofSeconds(20), () -> {
            System.gc();
            // Every tracked allocation polls the detector's queue of collected, unreleased buffers.
            for (int i = 0; i < 4; i++) {
                Unpooled.directBuffer(1).release();
            }
            return RECORDER.canaries.contains(canary);
        });
        List<String> leaks = new ArrayList<>();
        String leak;
        while ((leak = RECORDER.leaks.poll()) != null) {
            leaks.add(leak);
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " ByteBuf leak(s) reported by Netty:\n" + String.join("\n----\n", leaks));
        }
    }

    private static void dropCanary(String hint) {
        // Unpooled and direct: tracked, and no allocator keeps a reference to it, so the collector surely takes it.
        ByteBuf canary = Unpooled.directBuffer(1);
        canary.touch(hint);
    }

    private static final class Recorder implements ResourceLeakDetector.LeakListener {
        final ConcurrentLinkedQueue<String> leaks = new ConcurrentLinkedQueue<>();
        final Set<String> canaries = ConcurrentHashMap.newKeySet();

        @Override
        public void onLeak(String resourceType, String records) {
            int at = records.indexOf(CANARY);
            if (at >= 0) {
                int end = at + CANARY.length() + 36;
                canaries.add(records.substring(at, Math.min(end, records.length())));
            } else {
                leaks.add(resourceType + records);
            }
        }
    }
}
