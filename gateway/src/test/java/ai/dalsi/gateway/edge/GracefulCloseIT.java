package ai.dalsi.gateway.edge;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Closing the edge: no new connections, idle ones closed, an in-flight request still answered. */
@ExtendWith(FreshDatabaseExtension.class)
class GracefulCloseIT {

    @Test
    void inFlightRequestsFinishAndIdleConnectionsClose(TestDatabase db) throws Exception {
        TestEdge edge = TestEdge.builder(db).start();
        String key = edge.seed.key(KeySpec.chat());
        int port = edge.port();
        try (Socket idle = new Socket("127.0.0.1", port)) {
            idle.setSoTimeout(10_000);
            idle.getOutputStream().write(("GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[8192];
            int n = idle.getInputStream().read(buf);
            assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");

            edge.sink.holding(true);
            CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> edge.chat(key, CHAT_MODEL));
            Eventually.await("the request reached the sink", () -> edge.sink.heldCount() == 1);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(edge::close);

            // The idle keep-alive connection is closed by the server (end of stream).
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            Eventually.await("no new connections", () -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return false;
                } catch (IOException refused) {
                    return true;
                }
            });
            assertThat(closing).isNotDone();
            edge.sink.releaseHeld();
            HttpResponse<String> r = inFlight.join();
            assertThat(r.statusCode()).isEqualTo(200);
            closing.join();
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
    }
}
