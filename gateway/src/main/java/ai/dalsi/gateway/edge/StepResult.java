package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.proxy.BackendGroup;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What a step of the request path ({@link ExchangeStep}) decided, for the one handler that runs
 * the steps ({@link RequestPathHandler}):
 * <ul>
 *   <li>{@link Learned}: go on to the next step, keeping what this step learned (a value set once
 *       on the {@link Exchange}; {@link Learned#NOTHING} when it learned nothing);</li>
 *   <li>{@link Refusal}: answer with an error of the catalogue and stop;</li>
 *   <li>{@link Pending}: the decision needs work off the event loop (a key load, a remote limiter);
 *       the path resumes with the stage's result on the channel's event loop;</li>
 *   <li>{@link Answer}: the edge answers itself with a 200 JSON body (the model list);</li>
 *   <li>{@link Forward}: hand the request to the backend proxy.</li>
 * </ul>
 */
sealed interface StepResult permits Learned, StepResult.Refusal, StepResult.Pending, StepResult.Answer,
        StepResult.Forward {

    /**
     * The request is refused with an error of the catalogue: the edge answers it without a
     * backend.
     *
     * @param code    the error (status, type, code)
     * @param message what the client reads
     * @param param   the field at fault, or null
     * @param allow   the {@code Allow} header of a 405, or null
     * @param learned what the step learned before refusing (the product of an unavailable endpoint,
     *                the limiter's decision behind a 429, for the headers and the usage event), or null
     */
    record Refusal(ErrorCode code, String message, String param, String allow, Learned learned)
            implements StepResult, Ending {

        static Refusal of(ErrorCode code, String message) {
            return new Refusal(code, message, null, null, null);
        }

        static Refusal of(ErrorCode code, String message, String param) {
            return new Refusal(code, message, param, null, null);
        }
    }

    /** The step's decision, once the stage completes (never exceptionally: failures are results too). */
    record Pending(CompletableFuture<StepResult> stage) implements StepResult {
    }

    /** The edge answers 200 with this JSON body (owned by the result). */
    record Answer(ByteBuf json) implements StepResult, Ending {
    }

    /** The request goes to this backend. */
    record Forward(BackendGroup target) implements StepResult {
    }

    /**
     * The result of a step that waits for {@code f}: decided at once when {@code f} is already
     * complete (a cache hit, the local limiter), otherwise {@link Pending}. The functions run on
     * whichever thread completes {@code f}, so they only compute a result; they never touch the
     * channel.
     */
    static <T> StepResult when(CompletableFuture<T> f, Function<? super T, StepResult> then,
            Function<Throwable, StepResult> failed) {
        if (f.isDone()) {
            return f.isCompletedExceptionally() ? failed.apply(f.exceptionNow()) : then.apply(f.join());
        }
        return new Pending(f.handle((v, e) -> e == null ? then.apply(v) : failed.apply(e)));
    }
}
