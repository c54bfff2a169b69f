package ai.dalsi.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a route answers: status, content type, body and extra headers. Built on a worker thread,
 * written by the event loop.
 */
record AdminResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    static final String JSON = "application/json; charset=utf-8";

    AdminResponse {
        headers = Map.copyOf(headers);
    }

    static AdminResponse json(int status, Object value) {
        return new AdminResponse(status, JSON, AdminJson.write(value), Map.of());
    }

    static AdminResponse text(int status, String contentType, String text) {
        return new AdminResponse(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static AdminResponse error(int status, String message, String field) {
        return json(status, Map.of("error", AdminJson.errorBody(message, field)));
    }

    AdminResponse withHeader(String name, String value) {
        java.util.HashMap<String, String> h = new java.util.HashMap<>(headers);
        h.put(name, value);
        return new AdminResponse(status, contentType, body, h);
    }
}
