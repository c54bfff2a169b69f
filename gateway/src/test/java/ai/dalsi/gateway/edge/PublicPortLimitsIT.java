package ai.dalsi.gateway.edge;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import ai.dalsi.gateway.config.EdgeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The public port before a key is known, against a real edge on port 0 with raw sockets on
 * 127.0.0.1: clients without a key that send large bodies and stall are answered 401 from the
 * head, and direct memory stays bounded; a flood of bodies at the limit with a valid key stays
 * within the in-flight budget (the rest is shed with 503); a request trickled byte by byte is
 * answered 408 at its deadline; an address over its connection cap is refused. Each test starts
 * its own edge with small limits and short deadlines.
 */
@ExtendWith(FreshDatabaseExtension.class)
class PublicPortLimitsIT {

    private static final int MAX_BODY = 4 * 1024 * 1024;
    private static final int DECLARED = 4_194_000;
    private static final long MIB = 1024 * 1024;

    private final TestDatabase db;
    private final List<Socket> sockets = new ArrayList<>();
    private TestEdge edge;

    PublicPortLimitsIT(TestDatabase db) {
        this.db = db;
    }

    @AfterEach
    void stop() {
        sockets.forEach(PublicPortLimitsIT::closeQuietly);
        if (edge != null) {
            edge.close();
        }
    }

    private TestEdge start(UnaryOperator<EdgeConfig.Builder> config) {
        edge = TestEdge.builder(db).config(config).start();
        return edge;
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", edge.port()), 5000);
        s.setSoTimeout(20_000);
        sockets.add(s);
        return s;
    }

    private static String head(String key, long length) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                + (key == null ? "" : "Authorization: Bearer " + key + "\r\n")
                + "Content-Length: " + length + "\r\n\r\n";
    }

    /** A JSON chat body of exactly {@code length} bytes. */
    private static byte[] chatBody(int length) {
        String start = "{\"model\":\"" + CHAT_MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"";
        String end = "\"}]}";
        return (start + "a".repeat(length - start.length() - end.length()) + end).getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code bytes} of body on another thread (it blocks when the edge does not read), ignoring a close. */
    private static Thread upload(Socket s, byte[] head, byte[] body, int bytes) {
        return Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = s.getOutputStream();
                out.write(head);
                for (int off = 0; off < bytes; off += 65536) {
                    out.write(body, off, Math.min(65536, bytes - off));
                }
                out.flush();
            } catch (IOException e) {
                // the edge answered and closed without reading the rest: what the test wants
            }
        });
    }

    /** A response read off the socket: status, headers (lower-cased names), body. */
    record Raw(int status, String headers, String body) {
        String header(String name) {
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private static Raw read(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            String h = head.toString(StandardCharsets.ISO_8859_1);
            if (h.endsWith("\r\n\r\n")) {
                break;
            }
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        if (h.isEmpty()) {
            return null;
        }
        int status = Integer.parseInt(h.substring(9, 12));
        Raw raw = new Raw(status, h, "");
        String length = raw.header("content-length");
        byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
        return new Raw(status, h, new String(body, StandardCharsets.UTF_8));
    }

    /** True when the edge closed the connection (end of stream or reset) with nothing more to read. */
    private static boolean closedByEdge(Socket s) {
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long directMemory() {
        long used = PlatformDependent.usedDirectMemory();
        if (used >= 0) {
            return used;
        }
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    /** This process's resident set, from /proc (0 where there is none). */
    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }

    @Test
    void clientsWithoutAKeyThatSendLargeBodiesAndStallAre401BeforeTheBodyIsRead() throws Exception {
        start(c -> c.maxBodyBytes(MAX_BODY));
        byte[] body = chatBody(DECLARED);
        byte[] head = head(null, DECLARED).getBytes(StandardCharsets.US_ASCII);
        long before = directMemory();
        int clients = 40;
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Socket s = connect();
            stalled.add(s);
            // Each sends the head and up to the whole body, then stalls (never closes).
            upload(s, head, body, DECLARED);
        }
        long peak = before;
        for (Socket s : stalled) {
            Raw r = read(s);
            assertThat(r).as("answered without waiting for the body").isNotNull();
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.body()).contains("\"code\":\"invalid_api_key\"");
            assertThat(r.header("connection")).isEqualTo("close");
            peak = Math.max(peak, directMemory());
        }
        for (Socket s : stalled) {
            assertThat(closedByEdge(s)).as("the unread body is not waited for").isTrue();
        }
        System.out.printf("no-key stallers: %d x %d bytes; direct memory before %s, peak %s, after %s%n", clients,
                DECLARED, mib(before), mib(peak), mib(directMemory()));
        // Reading every body would hold 40 x 4 MiB = 160 MiB; the edge reads at most a socket read of each.
        assertThat(peak - before).isLessThan(32 * MIB);
        assertThat(edge.sink.events()).isEmpty();
    }

    @Test
    void aFloodOfBodiesAtTheLimitWithAValidKeyStaysWithinTheInFlightBudget() throws Exception {
        long budget = 16 * MIB;
        start(c -> c.maxBodyBytes(MAX_BODY).maxBodyBytesInFlight(budget).maxBodyBytesInFlightPerAddress(budget)
                .bodyTimeout(Duration.ofSeconds(5)));
        String key = edge.seed.key(KeySpec.chat());
        byte[] body = chatBody(DECLARED);
        byte[] head = head(key, DECLARED).getBytes(StandardCharsets.US_ASCII);
        // Warm up (classes, pools), then measure.
        Socket warm = connect();
        upload(warm, head, body, DECLARED).join();
        assertThat(read(warm).status()).isEqualTo(200);
        System.gc();
        long rssBefore = rss();
        long directBefore = directMemory();
        int clients = 60;
        List<Socket> flood = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Socket s = connect();
            flood.add(s);
            writers.add(upload(s, head, body, DECLARED));
        }
        long rssPeak = rssBefore;
        long directPeak = directBefore;
        int ok = 0;
        int shed = 0;
        for (Socket s : flood) {
            Raw r = read(s);
            rssPeak = Math.max(rssPeak, rss());
            directPeak = Math.max(directPeak, directMemory());
            assertThat(r).isNotNull();
            if (r.status() == 200) {
                ok++;
            } else {
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("retry-after")).isEqualTo("1");
                assertThat(r.body()).contains("\"code\":\"service_unavailable\"");
                shed++;
            }
        }
        for (Thread t : writers) {
            t.join(TimeUnit.SECONDS.toMillis(20));
        }
        flood.forEach(PublicPortLimitsIT::closeQuietly);
        System.gc();
        Thread.sleep(200); // lets the closes and frees land before the last reading (a measurement, not an assert)
        long rssAfter = rss();
        long directAfter = directMemory();
        System.out.printf("valid-key flood: %d x %d bytes, budget %s: %d served, %d shed; RSS before %s, peak %s,"
                + " after %s; direct memory before %s, peak %s, after %s%n", clients, DECLARED, mib(budget), ok, shed,
                mib(rssBefore), mib(rssPeak), mib(rssAfter), mib(directBefore), mib(directPeak), mib(directAfter));
        assertThat(ok).isPositive();
        assertThat(ok + shed).isEqualTo(clients);
        // The budget plus what the decoder holds per connection (one socket read each) and the proxy's copy.
        assertThat(directPeak - directBefore).isLessThan(2 * budget + clients * 128 * 1024);
        assertThat(edge.server.bodyBytesInFlight()).as("every reservation given back").isZero();
    }

    @Test
    void aBodyThatStallsIs408AtItsDeadlineAndItsReservationIsGivenBack() throws Exception {
        start(c -> c.bodyTimeout(Duration.ofSeconds(1)));
        String key = edge.seed.key(KeySpec.chat());
        Socket s = connect();
        byte[] body = chatBody(1000);
        OutputStream out = s.getOutputStream();
        out.write(head(key, body.length).getBytes(StandardCharsets.US_ASCII));
        out.write(body, 0, 500);
        out.flush();
        long sent = System.nanoTime();
        Raw r = read(s);
        long waited = System.nanoTime() - sent;
        assertThat(r.status()).isEqualTo(408);
        assertThat(r.body()).contains("\"code\":\"request_timeout\"").contains("\"type\":\"invalid_request_error\"");
        assertThat(r.header("connection")).isEqualTo("close");
        assertThat(waited).as("not before its deadline").isGreaterThanOrEqualTo(Duration.ofMillis(900).toNanos());
        assertThat(closedByEdge(s)).isTrue();
        assertThat(edge.sink.events()).as("the known key's 408 is metered").hasSize(1);
        assertThat(edge.server.bodyBytesInFlight()).isZero();
    }

    @Test
    void aTrickledRequestIsClosedWith408AtItsHeaderDeadline() throws Exception {
        start(c -> c.headerTimeout(Duration.ofSeconds(1)));
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        byte[] request = "GET /v1/models HTTP/1.1\r\nHost: gateway\r\n".getBytes(StandardCharsets.US_ASCII);
        long first = System.nanoTime();
        Thread trickle = Thread.ofVirtual().start(() -> {
            try {
                for (byte b : request) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(100); // the attack: one byte at a time, each well within the idle timeout
                }
            } catch (IOException | InterruptedException e) {
                // closed by the edge
            }
        });
        Raw r = read(s);
        long waited = System.nanoTime() - first;
        trickle.interrupt();
        assertThat(r.status()).isEqualTo(408);
        assertThat(r.body()).contains("\"code\":\"request_timeout\"");
        assertThat(r.header("connection")).isEqualTo("close");
        assertThat(waited).as("the deadline counts from the first byte").isGreaterThanOrEqualTo(
                Duration.ofMillis(900).toNanos());
        assertThat(closedByEdge(s)).isTrue();
    }

    @Test
    void anAddressOverItsConnectionCapIsRefused() throws Exception {
        start(c -> c.maxConnectionsPerAddress(3));
        List<Socket> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            open.add(connect());
        }
        for (Socket s : open) {
            s.getOutputStream().write("GET /v1/models HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(read(s).status()).as("within the cap: served (401: no key)").isEqualTo(401);
        }
        Socket over = connect();
        assertThat(closedByEdge(over)).as("the fourth connection is closed at accept").isTrue();
        assertThat(edge.metrics.connectionsRefused()).isEqualTo(1);
        open.get(0).close();
        Socket again = null;
        for (int attempt = 0; attempt < 50 && again == null; attempt++) {
            Socket s = connect();
            s.getOutputStream().write("GET /v1/models HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            try {
                Raw r = read(s);
                if (r != null) {
                    assertThat(r.status()).isEqualTo(401);
                    again = s;
                }
            } catch (SocketException e) {
                // the close of the first connection was not seen yet
            }
            if (again == null) {
                Thread.sleep(50); // waits for the edge to see the close (bounded: 50 attempts)
            }
        }
        assertThat(again).as("a closed connection frees its place").isNotNull();
    }

    @Test
    void anUploadTheClientDropsIsCountedAndFreed() throws Exception {
        start(c -> c);
        String key = edge.seed.key(KeySpec.chat());
        Socket s = connect();
        byte[] body = chatBody(100_000);
        OutputStream out = s.getOutputStream();
        out.write(head(key, body.length).getBytes(StandardCharsets.US_ASCII));
        out.write(body, 0, 50_000);
        out.flush();
        for (int i = 0; i < 100 && edge.server.bodyBytesInFlight() == 0; i++) {
            Thread.sleep(20); // until the edge reserved the body (bounded)
        }
        assertThat(edge.server.bodyBytesInFlight()).isEqualTo(body.length);
        s.close();
        for (int i = 0; i < 100 && edge.metrics.disconnects().isEmpty(); i++) {
            Thread.sleep(20); // until the edge saw the close (bounded)
        }
        assertThat(edge.metrics.disconnects()).containsExactly("body");
        assertThat(edge.server.bodyBytesInFlight()).isZero();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
