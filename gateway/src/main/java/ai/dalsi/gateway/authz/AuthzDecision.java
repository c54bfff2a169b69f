package ai.dalsi.gateway.authz;

import ai.dalsi.gateway.error.ErrorCode;

/** Whether an authenticated key may make this request, and if not, the error the client gets. */
public sealed interface AuthzDecision {

    /** Allowed. */
    record Allowed() implements AuthzDecision {
    }

    /**
     * Refused.
     *
     * @param code    the error (status and code per the table in docs/ARCHITECTURE.md)
     * @param message what the client reads; never contains the key
     * @param param   the request field at fault (OpenAI's {@code error.param}), or null
     */
    record Denied(ErrorCode code, String message, String param) implements AuthzDecision {
    }

    Allowed ALLOWED = new Allowed();
}
