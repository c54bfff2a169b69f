package ai.dalsi.gateway.edge;

import java.net.InetSocketAddress;

/**
 * The line between the request's head and its body: every step before this one decides on the
 * head alone (who asks, with which key, where to), so a request without a valid key is answered
 * before its body is read. Here the body is asked for: its declared length is reserved in the
 * {@link BodyBudget} of the client address (or it is shed with 503 {@code service_unavailable},
 * unread), then the path waits for its last byte. A body over {@code edge.maxBodyBytes} is not read
 * either: the body step answers 413.
 */
final class ReadBodyStep implements ExchangeStep {

    private final BodyBudget budget;
    private final int maxBodyBytes;

    ReadBodyStep(BodyBudget budget, int maxBodyBytes) {
        this.budget = budget;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public StepResult apply(Exchange ex) {
        if (ex.incoming == null) {
            return Learned.NOTHING;
        }
        InetSocketAddress client = ex.client();
        return ex.incoming.start(ex, budget, client == null ? null : client.getAddress(), maxBodyBytes);
    }
}
