package ai.dalsi.gateway.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A webhook receiver for tests: a small HTTP server on 127.0.0.1, port 0, that records every
 * request (headers and body) and answers as told: {@link Mode#UP} 204, {@link Mode#DOWN} closes
 * the connection without an answer (a receiver that is down behind its address), or
 * {@link #answer(int)} a status of choice.
 */
final class WebhookReceiver implements AutoCloseable {

    enum Mode { UP, DOWN, STATUS, HANG }

    /** One request as it arrived. */
    record Received(String method, String path, Map<String, String> headers, byte[] body) {

        JsonNode json() {
            try {
                return new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.UP);
    private final AtomicInteger status = new AtomicInteger(204);
    private final AtomicInteger refused = new AtomicInteger();
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    void up() {
        mode.set(Mode.UP);
    }

    void down() {
        mode.set(Mode.DOWN);
    }

    /** Reads requests and never answers (until closed). */
    void hang() {
        mode.set(Mode.HANG);
    }

    void answer(int code) {
        status.set(code);
        mode.set(Mode.STATUS);
    }

    /** Requests answered with a status (not dropped while down). */
    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** Requests dropped while down or left unanswered while hanging. */
    int dropped() {
        return refused.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Mode m = mode.get();
        if (m == Mode.HANG) {
            refused.incrementAndGet();
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        if (m == Mode.DOWN) {
            refused.incrementAndGet();
            exchange.close(); // no status line: the client sees the connection end
            return;
        }
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        synchronized (this) {
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers, body));
        }
        int code = m == Mode.UP ? 204 : status.get();
        exchange.sendResponseHeaders(code, -1);
        exchange.close();
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
