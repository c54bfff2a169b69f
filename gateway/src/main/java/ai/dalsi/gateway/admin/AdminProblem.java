package ai.dalsi.gateway.admin;

import java.io.Serial;

/**
 * An admin request that cannot be served as asked: the status, a message for the caller and,
 * for bad input, the field at fault. Rendered as
 * {@code {"error":{"message":"...","field":"..."}}}. Carries no stack trace: it is an answer,
 * not a failure of the gateway.
 */
final class AdminProblem extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String field;

    private AdminProblem(int status, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    int status() {
        return status;
    }

    /** The request field at fault, or null. */
    String field() {
        return field;
    }

    /** 400: {@code field: value (expected: ...)}. */
    static AdminProblem badInput(String field, String message) {
        return new AdminProblem(400, message, field);
    }

    static AdminProblem notFound(String message) {
        return new AdminProblem(404, message, null);
    }

    /** 404 for an id given in the body or query, naming that field. */
    static AdminProblem notFound(String field, String message) {
        return new AdminProblem(404, message, field);
    }

    static AdminProblem conflict(String field, String message) {
        return new AdminProblem(409, message, field);
    }

    static AdminProblem of(int status, String message) {
        return new AdminProblem(status, message, null);
    }
}
