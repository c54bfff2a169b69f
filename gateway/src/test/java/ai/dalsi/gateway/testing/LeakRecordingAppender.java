package ai.dalsi.gateway.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the errors Netty's leak detector logs ({@code LEAK: ...}), wired to the
 * {@code io.netty.util.ResourceLeakDetector} logger in {@code logback-test.xml}; read by
 * {@link NettyLeakCheck}. Static because logback instantiates it; test support only.
 */
public final class LeakRecordingAppender extends AppenderBase<ILoggingEvent> {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getLevel().isGreaterOrEqual(Level.ERROR) && event.getFormattedMessage().contains("LEAK")) {
            LEAKS.add(event.getFormattedMessage());
        }
    }

    /** Leaks reported so far in this JVM. */
    public static List<String> leaks() {
        return List.copyOf(LEAKS);
    }
}
