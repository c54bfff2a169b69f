package ai.dalsi.gateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran (or before, in the same JVM:
 * a leak is found only when the buffer is garbage-collected, so the check forces collection and
 * allocates to let the detector look). Registered for every test of this module through JUnit's
 * extension auto-detection ({@code META-INF/services}), so any leak anywhere fails the build.
 * The leak detector runs at PARANOID in all test JVMs (root pom).
 */
public final class NettyLeakCheck implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        for (int i = 0; i < 3; i++) {
            System.gc();
            System.runFinalization();
            // The detector polls for collected, unreleased buffers when it tracks a new one.
            for (int j = 0; j < 32; j++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(8);
                b.release();
                ByteBuf h = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
                h.release();
            }
        }
        List<String> leaks = LeakRecordingAppender.leaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported (level "
                    + ResourceLeakDetector.getLevel() + ") by the end of " + context.getDisplayName() + ":\n"
                    + String.join("\n\n", leaks));
        }
    }
}
