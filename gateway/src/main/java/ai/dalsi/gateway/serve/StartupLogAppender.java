package ai.dalsi.gateway.serve;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Holds back what the parts of a node log while it starts, so that a start-up that fails prints
 * exactly one line (the {@link NodeStartException}'s) instead of the progress of every part before
 * it, and their shutdown. Once the node serves, the held lines are written in order, with their
 * original timestamps. Configured in {@code logback.xml} in front of the console appender; where a
 * configuration does not have it (tests), {@link #hold()} holds nothing.
 */
public final class StartupLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent>
        implements AppenderAttachable<ILoggingEvent> {

    /** Its name in {@code logback.xml}. */
    public static final String NAME = "STARTUP";

    /** More than a start-up ever logs; beyond it lines pass through rather than pile up. */
    private static final int MAX_HELD = 10_000;

    private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
    private final List<ILoggingEvent> held = new ArrayList<>();
    private boolean holding;

    /** What {@link #hold()} returns: release the lines once started, or drop them when the start failed. */
    public interface Held {
        /** Writes the held lines and lets new ones through. */
        void release();

        /** Drops the held lines and lets new ones through. */
        void discard();
    }

    /** Starts holding back the lines of every logger (no-op without this appender in the configuration). */
    public static Held hold() {
        StartupLogAppender appender = find();
        if (appender == null) {
            return new Held() {
                @Override
                public void release() {
                }

                @Override
                public void discard() {
                }
            };
        }
        appender.setHolding();
        return new Held() {
            @Override
            public void release() {
                appender.end(true);
            }

            @Override
            public void discard() {
                appender.end(false);
            }
        };
    }

    private static StartupLogAppender find() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            Appender<ILoggingEvent> a = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(NAME);
            return a instanceof StartupLogAppender s ? s : null;
        }
        return null;
    }

    private synchronized void setHolding() {
        holding = true;
    }

    private synchronized void end(boolean write) {
        holding = false;
        if (write) {
            for (ILoggingEvent e : held) {
                appenders.appendLoopOnAppenders(e);
            }
        }
        held.clear();
    }

    @Override
    protected void append(ILoggingEvent event) {
        synchronized (this) {
            if (holding && held.size() < MAX_HELD) {
                event.prepareForDeferredProcessing();
                held.add(event);
                return;
            }
        }
        appenders.appendLoopOnAppenders(event);
    }

    @Override
    public void stop() {
        end(true);
        super.stop();
    }

    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        appenders.addAppender(appender);
    }

    @Override
    public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
        return appenders.iteratorForAppenders();
    }

    @Override
    public Appender<ILoggingEvent> getAppender(String name) {
        return appenders.getAppender(name);
    }

    @Override
    public boolean isAttached(Appender<ILoggingEvent> appender) {
        return appenders.isAttached(appender);
    }

    @Override
    public void detachAndStopAllAppenders() {
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public boolean detachAppender(Appender<ILoggingEvent> appender) {
        return appenders.detachAppender(appender);
    }

    @Override
    public boolean detachAppender(String name) {
        return appenders.detachAppender(name);
    }
}
