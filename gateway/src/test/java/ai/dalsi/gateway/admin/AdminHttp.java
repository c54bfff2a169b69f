package ai.dalsi.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/** A real HTTP client for the admin port, as curl or a script would call it. */
final class AdminHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, body as text and as JSON (null when not JSON), and the headers. */
    record Response(int status, String text, JsonNode json, java.net.http.HttpHeaders headers) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** {@code error.message}, or null. */
        String errorMessage() {
            return json == null || !json.has("error") ? null : json.get("error").get("message").asText();
        }

        /** {@code error.field}, or null. */
        String errorField() {
            return json == null || !json.has("error") || json.get("error").get("field").isNull()
                    ? null : json.get("error").get("field").asText();
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final String base;
    private final String authorization;

    private AdminHttp(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    static AdminHttp anonymous(int port) {
        return new AdminHttp("http://127.0.0.1:" + port, null);
    }

    AdminHttp withBearer(String token) {
        return new AdminHttp(base, "Bearer " + token);
    }

    AdminHttp withBasic(String user, String password) {
        return new AdminHttp(base, "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    AdminHttp withAuthorization(String header) {
        return new AdminHttp(base, header);
    }

    Response get(String path) {
        return send("GET", path, null);
    }

    Response post(String path, String json) {
        return send("POST", path, json);
    }

    Response patch(String path, String json) {
        return send("PATCH", path, json);
    }

    Response send(String method, String path, String json) {
        return send(method, path, json, json == null ? Map.of() : Map.of("Content-Type", "application/json"));
    }

    /** With exactly these extra headers (no Content-Type unless given), as a browser or a script might send. */
    Response send(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("User-Agent", "admin-tests/1.0");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = null;
            if (r.headers().firstValue("content-type").orElse("").startsWith("application/json")) {
                node = JSON.readTree(r.body());
            }
            return new Response(r.statusCode(), r.body(), node, r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Single quotes to double quotes, so JSON bodies in tests stay readable. */
    static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }
}
