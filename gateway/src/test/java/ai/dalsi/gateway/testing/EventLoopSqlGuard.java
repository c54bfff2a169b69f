package ai.dalsi.gateway.testing;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;

/**
 * A jOOQ listener that records every statement run on a Netty event-loop thread: the edge must
 * never block its event loops on the database. Wrap the edge's {@link DSLContext} with
 * {@link #guard} and assert {@link #violations()} is empty after the requests.
 */
public final class EventLoopSqlGuard implements ExecuteListener {

    private final List<String> violations = new CopyOnWriteArrayList<>();

    @Override
    public void executeStart(ExecuteContext ctx) {
        EventExecutor executor = ThreadExecutorMap.currentExecutor();
        if (executor instanceof EventLoop || Thread.currentThread().getName().startsWith("edge-io")) {
            violations.add(Thread.currentThread().getName() + ": " + ctx.sql());
        }
    }

    /** The same database, with this guard listening. */
    public DSLContext guard(DSLContext dsl) {
        return dsl.configuration().deriveAppending(this).dsl();
    }

    /** Statements that ran on an event loop (thread: sql). */
    public List<String> violations() {
        return List.copyOf(violations);
    }
}
