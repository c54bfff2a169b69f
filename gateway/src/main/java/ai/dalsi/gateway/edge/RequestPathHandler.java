package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the request path: the steps of {@link RequestPath}, in order, inside this one handler (as
 * Zuul's filter chain handler runs its filters), so a request costs one pipeline hop however many
 * steps it passes. Each step's {@link StepResult} says what happens next: a learned value is kept
 * on the {@link Exchange} and the next step runs; a refusal or an answer ends the exchange in the
 * {@link ExchangeFinisher}; a forward goes to the {@link BackendHandOff}; a pending step resumes
 * here, on the channel's event loop, when its stage completes.
 *
 * <p>Also the end of the pipeline: a failure no step handled becomes a 500 {@code internal_error}
 * (logged here, never shown to the client) if the request was not answered yet; socket errors
 * close the connection; a client that goes away while a step waits is metered as 499.
 */
final class RequestPathHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RequestPathHandler.class);
    static final StepResult.Refusal INTERNAL = StepResult.Refusal.of(ErrorCode.INTERNAL_ERROR,
            "The server had an error while processing your request.");

    private final ConnectionState state;
    private final ExchangeStep[] steps;
    private final ExchangeFinisher finisher;
    private final BackendHandOff handOff;

    RequestPathHandler(ConnectionState state, List<ExchangeStep> steps, ExchangeFinisher finisher,
            BackendHandOff handOff) {
        this.state = state;
        this.steps = steps.toArray(ExchangeStep[]::new);
        this.finisher = finisher;
        this.handOff = handOff;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Exchange ex) {
            run(ctx, ex, 0);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Runs the steps from {@code from} on until one ends the exchange or waits. */
    private void run(ChannelHandlerContext ctx, Exchange ex, int from) {
        for (int i = from; i < steps.length; i++) {
            StepResult r;
            try {
                r = steps[i].apply(ex);
            } catch (RuntimeException e) {
                LOG.error("request {} failed", ex.idText, e);
                r = INTERNAL;
            }
            if (r instanceof Learned learned) {
                ex.learn(learned);
            } else {
                decided(ctx, ex, r, i);
                return;
            }
        }
        LOG.error("request {} passed every step without an answer", ex.idText);
        finisher.finish(ctx, ex, INTERNAL);
    }

    private void decided(ChannelHandlerContext ctx, Exchange ex, StepResult r, int step) {
        switch (r) {
            case Learned l -> throw new IllegalStateException("learned values continue the path");
            case StepResult.Refusal refusal -> {
                if (refusal.learned() != null) {
                    ex.learn(refusal.learned());
                }
                finisher.finish(ctx, ex, refusal);
            }
            case StepResult.Answer answer -> finisher.finish(ctx, ex, answer);
            case StepResult.Forward forward -> handOff.forward(ctx, ex, forward.target());
            case StepResult.Pending pending -> {
                ex.waiting(true);
                pending.stage().whenComplete((result, error) -> ctx.executor().execute(
                        () -> resume(ctx, ex, step, result, error)));
            }
        }
    }

    /** A waiting step decided: go on where the path stopped, unless the exchange ended meanwhile. */
    private void resume(ChannelHandlerContext ctx, Exchange ex, int step, StepResult result, Throwable error) {
        if (ex.finished()) {
            finisher.discard(result);
            return;
        }
        ex.waiting(false);
        if (error != null || result == null) {
            LOG.error("request {}: a step failed", ex.idText, error);
            result = INTERNAL;
        }
        if (!(result instanceof Learned learned)) {
            decided(ctx, ex, result, step);
            return;
        }
        ex.learn(learned);
        if (!ctx.channel().isActive()) {
            finisher.finish(ctx, ex, Ending.Abandoned.INSTANCE);
            return;
        }
        run(ctx, ex, step + 1);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            ctx.close();
            return;
        }
        Exchange ex = state.current;
        if (ex != null && (ex.stage() == Exchange.Stage.STEPS || ex.stage() == Exchange.Stage.WAITING)) {
            LOG.error("request {} failed", ex.idText, cause);
            finisher.finish(ctx, ex, INTERNAL);
            return;
        }
        LOG.warn("connection error: {}", cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange ex = state.current;
        if (ex != null && ex.stage() == Exchange.Stage.WAITING && ex.key() != null) {
            // Gone while a step waits (the limiter): still one usage event for the known key. While the
            // key is still loading, the path meters it when the load ends (resume sees the channel closed).
            finisher.finish(ctx, ex, Ending.Abandoned.INSTANCE);
        }
        ctx.fireChannelInactive();
    }
}
