package ai.dalsi.gateway.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.persistence.testing.Eventually;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulated backend over real sockets: streaming order, cancellation, keep-alive, binding. */
class SimulatedBackendHttpIT {

    private static final String STREAM = "{\"model\":\"dalsi-ai\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Count slowly.\"}]}";

    private SimulatedBackend backend;

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    private SimulatedBackend start(SimulatorConfig.Builder config) {
        backend = SimulatedBackend.start(config.build());
        return backend;
    }

    @Test
    void firstTokenArrivesBeforeTheStreamEnds() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO).tokensPerSecond(5).completionTokens(4));
        try (Socket socket = connect()) {
            send(socket, post("/v1/chat/completions", STREAM));
            BufferedReader in = reader(socket);
            assertThat(readHead(in).status).isEqualTo(200);

            List<String> events = new ArrayList<>();
            long completedWhenFirstTokenArrived = -1;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    events.add(line);
                    if (line.contains("\"content\":\"This\"")) {
                        completedWhenFirstTokenArrived = backend.stats().streamsCompleted();
                    }
                    if (line.equals("data: [DONE]")) {
                        break;
                    }
                }
            }

            // The first token was read while the backend was still generating the rest.
            assertThat(completedWhenFirstTokenArrived).isZero();
            assertThat(events.stream().filter(e -> e.contains("\"delta\":{\"content\"")).count()).isEqualTo(4);
            assertThat(events.getLast()).isEqualTo("data: [DONE]");
            Eventually.await("the stream is counted as completed", () -> backend.stats().streamsCompleted() == 1);
        }
    }

    @Test
    void clientClosingMidStreamIsCountedAsCancelled() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO).tokensPerSecond(20).completionTokens(1000));
        try (Socket socket = connect()) {
            send(socket, post("/v1/chat/completions", STREAM));
            BufferedReader in = reader(socket);
            assertThat(readHead(in).status).isEqualTo(200);
            String line;
            do {
                line = in.readLine();
            } while (line != null && !line.contains("\"content\":\"This\""));
            assertThat(line).isNotNull();
            assertThat(backend.stats().openConnections()).isEqualTo(1);
        }

        Eventually.await("the stream is counted as cancelled", () -> backend.stats().streamsCancelled() == 1);
        Eventually.await("the connection is closed", () -> backend.stats().openConnections() == 0);
        assertThat(backend.stats().streamsCompleted()).isZero();
    }

    @Test
    void keepAliveConnectionAnswersPipelinedRequestsInOrder() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO).completionTokens(2));
        try (Socket socket = connect()) {
            String slow = "{\"model\":\"slow\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}";
            String fast = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"b\"}]}";
            send(socket, post("/v1/chat/completions", slow, "x-sim-latency-ms: 50")
                    + post("/v1/chat/completions", fast)
                    + "GET /v1/models HTTP/1.1\r\nhost: sim\r\n\r\n");
            BufferedReader in = reader(socket);

            assertThat(readResponse(in).body).contains("\"model\":\"slow\"");
            assertThat(readResponse(in).body).contains("\"model\":\"fast\"");
            assertThat(readResponse(in).body).startsWith("{\"object\":\"list\"");
            assertThat(backend.stats().openConnections()).isEqualTo(1);
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO));
        try (Socket socket = connect()) {
            send(socket, "GET /v1/models HTTP/1.1\r\nhost: sim\r\nconnection: close\r\n\r\n");
            BufferedReader in = reader(socket);
            Response response = readResponse(in);
            assertThat(response.status).isEqualTo(200);
            assertThat(in.readLine()).as("end of stream after the answer").isNull();
        }
    }

    @Test
    void http10ClientGetsTheStreamUnchunkedAndThenTheConnectionCloses() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO).tokensPerSecond(0).completionTokens(3));
        try (Socket socket = connect()) {
            send(socket, post("/v1/chat/completions", STREAM).replace(" HTTP/1.1\r\n", " HTTP/1.0\r\n"));
            BufferedReader in = reader(socket);
            Response head = readHead(in);
            assertThat(head.status).isEqualTo(200);
            assertThat(head.headers).doesNotContainKey("transfer-encoding").containsEntry("connection", "close");

            List<String> lines = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
            // nothing but events and their blank separators: no chunk sizes
            assertThat(lines).allSatisfy(l -> assertThat(l).matches("(data: .*)?"));
            assertThat(lines.stream().filter(l -> l.contains("\"delta\":{\"content\"")).count()).isEqualTo(3);
            assertThat(lines).contains("data: [DONE]");
        }
    }

    @Test
    void errorRateFailsAboutThatShareOfRequests() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO).errorRate(0.3).seed(7));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<Integer, Integer> byStatus = new LinkedHashMap<>();
        for (int i = 0; i < 400; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(backend.baseUrl().resolve("/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"dalsi-ai\",\"prompt\":\"x\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            byStatus.merge(response.statusCode(), 1, Integer::sum);
            if (response.statusCode() == 500) {
                assertThat(response.body()).contains("\"type\":\"server_error\"");
            }
        }

        assertThat(byStatus.keySet()).containsExactlyInAnyOrder(200, 500);
        assertThat(byStatus.get(500)).isBetween(80, 160);
        assertThat(backend.stats().errorResponses()).isEqualTo(byStatus.get(500).longValue());
        assertThat(backend.stats().requests("/v1/completions")).isEqualTo(400);
    }

    @Test
    void bindsTheGivenPortAndRefusesATakenOne() {
        start(SimulatorConfig.builder());
        assertThat(backend.port()).isPositive();
        assertThat(backend.baseUrl().toString()).isEqualTo("http://127.0.0.1:" + backend.port());

        SimulatorConfig taken = SimulatorConfig.builder().port(backend.port()).build();
        assertThatThrownBy(() -> SimulatedBackend.start(taken))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + backend.port());
    }

    @Test
    void generatedImageUrlsCanBeFetched() throws Exception {
        start(SimulatorConfig.builder().imageLatency(Duration.ZERO));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String body = client.send(HttpRequest.newBuilder(backend.baseUrl().resolve("/v1/images/generations"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a fox\"}"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        String url = body.replaceAll("(?s).*\"url\":\"([^\"]+)\".*", "$1");

        HttpResponse<byte[]> image = client.send(HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("content-type")).hasValue("image/png");
        assertThat(image.body()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    // --- a minimal HTTP/1.1 client, to see exactly what arrives and when

    private record Response(int status, Map<String, String> headers, String body) {
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(backend.baseUrl().getHost(), backend.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void send(Socket socket, String requests) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(requests.getBytes(UTF_8));
        out.flush();
    }

    private static String post(String path, String body, String... headers) {
        StringBuilder s = new StringBuilder("POST " + path + " HTTP/1.1\r\nhost: sim\r\ncontent-type: application/json\r\n");
        for (String h : headers) {
            s.append(h).append("\r\n");
        }
        return s.append("content-length: ").append(body.getBytes(UTF_8).length).append("\r\n\r\n").append(body).toString();
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    private static Response readHead(BufferedReader in) throws IOException {
        String statusLine = in.readLine();
        assertThat(statusLine).startsWith("HTTP/1.1 ");
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while (!(line = in.readLine()).isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).toLowerCase(), line.substring(colon + 1).strip());
        }
        return new Response(Integer.parseInt(statusLine.substring(9, 12)), headers, null);
    }

    /** A response with a content-length body (ASCII bodies only, which is all the simulator sends here). */
    private static Response readResponse(BufferedReader in) throws IOException {
        Response head = readHead(in);
        char[] body = new char[Integer.parseInt(head.headers.get("content-length"))];
        int read = 0;
        while (read < body.length) {
            int n = in.read(body, read, body.length - read);
            assertThat(n).as("body bytes").isPositive();
            read += n;
        }
        return new Response(head.status, head.headers, new String(body));
    }
}
