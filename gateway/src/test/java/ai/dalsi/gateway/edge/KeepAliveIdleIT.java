package ai.dalsi.gateway.edge;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code edge.keepAliveIdleTimeout} on a real edge: a connection with nothing in flight is closed
 * once the timeout passed since its start or since its last answer; a connection that keeps sending
 * requests, or whose request is still being answered, is not.
 */
@ExtendWith(FreshDatabaseExtension.class)
class KeepAliveIdleIT {

    private static final Duration IDLE = Duration.ofMillis(1_000);

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout(TestDatabase db) throws Exception {
        try (TestEdge edge = idleEdge(db); Socket s = connect(edge)) {
            long t0 = System.nanoTime();
            assertThat(s.getInputStream().read()).as("closed by the server").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(IDLE.minusMillis(50));
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterItsLastAnswerAndABusyOneIsNot(TestDatabase db) throws Exception {
        try (TestEdge edge = idleEdge(db); Socket busy = connect(edge); Socket silent = connect(edge)) {
            // Back-to-back requests for a second or so: limits well above what that can send.
            String key = edge.seed.key(KeySpec.chat().withLimits(1_000_000, 10_000_000, 100_000_000));
            CompletableFuture<Integer> silentClosed = closedByServer(silent);
            int answered = 0;
            while (!silentClosed.isDone()) { // requests on one connection until the idle timeout has passed
                assertThat(exchange(busy, models(key))).startsWith("HTTP/1.1 200");
                answered++;
            }
            assertThat(silentClosed.get()).as("the silent connection, opened with it, was closed").isEqualTo(-1);
            assertThat(answered).isPositive();
            assertThat(exchange(busy, models(key))).as("the busy one is still open").startsWith("HTTP/1.1 200");
            long lastAnswer = System.nanoTime();
            assertThat(busy.getInputStream().read()).as("closed once idle").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - lastAnswer)).isGreaterThanOrEqualTo(IDLE.minusMillis(50));
        }
    }

    @Test
    void aRequestAnsweredForLongerThanTheIdleTimeoutKeepsItsConnection(TestDatabase db) throws Exception {
        try (TestEdge edge = idleEdge(db); Socket s = connect(edge); Socket silent = connect(edge)) {
            String key = edge.seed.key(KeySpec.chat());
            edge.sink.holding(true); // the answer waits until its usage is accepted
            String body = "{\"model\":\"" + CHAT_MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            Eventually.await("the request is in flight", () -> edge.sink.heldCount() == 1);
            // Opened after the request was sent: once the server closes it, the idle timeout has
            // passed for the connection whose request is still in flight too.
            assertThat(closedByServer(silent).get()).isEqualTo(-1);
            edge.sink.holding(false);
            edge.sink.releaseHeld();
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
            assertThat(exchange(s, models(key))).as("the same connection carries the next request")
                    .startsWith("HTTP/1.1 200");
        }
    }

    private static TestEdge idleEdge(TestDatabase db) {
        return TestEdge.builder(db).config(c -> c.keepAliveIdleTimeout(IDLE)).start();
    }

    private static Socket connect(TestEdge edge) throws IOException {
        Socket s = new Socket("127.0.0.1", edge.port());
        s.setSoTimeout(10_000);
        return s;
    }

    /** The next read of a connection that sends nothing: -1 once the server closes it. */
    private static CompletableFuture<Integer> closedByServer(Socket s) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return s.getInputStream().read();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static String models(String key) {
        return "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\r\n\r\n";
    }

    private static String exchange(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        return readResponse(s.getInputStream());
    }

    /** One response with a Content-Length body (the edge's answers here have one). */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed mid-response: " + head);
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return head + new String(body, StandardCharsets.UTF_8);
    }
}
