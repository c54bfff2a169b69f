package ai.dalsi.gateway.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A few client threads sending chat completions back to back to one gateway, each recording every
 * request: whether it started before a signal was sent to the gateway, and either the response it
 * fully received (status, {@code x-request-id}) or the I/O error it got instead. A thread stops after
 * an I/O error (the gateway is gone) or when told to.
 */
public final class LoadClients implements AutoCloseable {

    /** One request as the client saw it. */
    public record Outcome(boolean startedBeforeSignal, int status, String requestId, String error) {

        public boolean received() {
            return error == null;
        }
    }

    private final URI uri;
    private final String key;
    private final String body;
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger started = new AtomicInteger();
    private volatile boolean signalled;
    private volatile boolean stopping;

    private LoadClients(URI uri, String key, String model) {
        this.uri = uri;
        this.key = key;
        this.body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about load.\"}]}";
    }

    /** Starts {@code threads} clients against {@code http://127.0.0.1:port/v1/chat/completions}. */
    public static LoadClients start(int port, String key, String model, int threads) {
        LoadClients load = new LoadClients(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"), key, model);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(load::run, "load-client-" + i);
            t.setDaemon(true);
            load.threads.add(t);
            t.start();
        }
        return load;
    }

    private void run() {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try (client) {
            while (!stopping) {
                boolean before = !signalled;
                started.incrementAndGet();
                try {
                    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                    outcomes.add(new Outcome(before, r.statusCode(), r.headers().firstValue("x-request-id").orElse(null),
                            null));
                } catch (IOException e) {
                    outcomes.add(new Outcome(before, -1, null, e.toString()));
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Requests started so far. */
    public int started() {
        return started.get();
    }

    /** Requests that ended (answered or failed) so far. */
    public int ended() {
        return outcomes.size();
    }

    /** Marks that the gateway was signalled: requests started from now on are "after". */
    public void signalled() {
        signalled = true;
    }

    /** Lets each thread finish its current request, then stop; waits at most {@code timeout} for them. */
    public void stopAndJoin(Duration timeout) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " still busy after " + timeout);
            }
        }
    }

    public List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /** Request ids of the responses the clients fully received. */
    public List<String> receivedIds() {
        return outcomes.stream().filter(Outcome::received).map(Outcome::requestId).toList();
    }

    @Override
    public void close() {
        stopping = true;
        threads.forEach(Thread::interrupt);
    }
}
