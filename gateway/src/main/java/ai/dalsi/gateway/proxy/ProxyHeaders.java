package ai.dalsi.gateway.proxy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What the proxy changes in the headers it passes on: the request's on the way to the backend (a
 * new header object with what the allowlist lets through), the response's on the way to the client
 * (in place, the backend's header object reused).
 */
final class ProxyHeaders {

    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    /** Hop-by-hop headers (RFC 9110 section 7.6.1, plus the non-standard ones still seen). */
    private static final List<AsciiString> HOP_BY_HOP = List.of(
            HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION);

    /**
     * The backend's view of the account behind the gateway's upstream key; the client's limits are
     * the gateway's, set by the edge.
     */
    private static final List<AsciiString> UPSTREAM_RATE_LIMITS = List.of(
            AsciiString.cached("x-ratelimit-limit-requests"), AsciiString.cached("x-ratelimit-limit-tokens"),
            AsciiString.cached("x-ratelimit-remaining-requests"), AsciiString.cached("x-ratelimit-remaining-tokens"),
            AsciiString.cached("x-ratelimit-reset-requests"), AsciiString.cached("x-ratelimit-reset-tokens"));

    private ProxyHeaders() {
    }

    /**
     * The client headers that may go upstream: those the allowlist names, never credentials,
     * hop-by-hop headers (also those named in {@code Connection}) or {@code Accept-Encoding} (the
     * proxy reads usage from response bodies, so it asks for them uncompressed). One new header
     * object per request; the backend's own headers are added per attempt ({@link #forBackend}).
     */
    static HttpHeaders forwardable(HttpHeaders client, HeaderAllowlist allowed) {
        HttpHeaders out = new DefaultHttpHeaders(false);
        if (client == null || client.isEmpty()) {
            return out;
        }
        List<String> connectionNamed = client.contains(HttpHeaderNames.CONNECTION) ? connectionTokens(client) : List.of();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = client.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (allowed.allows(name) && !named(connectionNamed, name)) {
                out.add(name, e.getValue());
            }
        }
        return out;
    }

    /**
     * Makes {@link #forwardable} headers one backend's request headers, in place: {@code Host},
     * {@code x-request-id}, the backend's {@code Authorization} (or none) and the length. Every one
     * is set or removed, so the same object serves the next attempt on another backend (the previous
     * request was encoded when it was written).
     */
    static HttpHeaders forBackend(HttpHeaders h, AsciiString host, String requestId,
            AsciiString authorization, int contentLength, boolean sendLength) {
        h.set(HttpHeaderNames.HOST, host);
        if (requestId != null) {
            h.set(X_REQUEST_ID, requestId);
        }
        if (authorization != null) {
            h.set(HttpHeaderNames.AUTHORIZATION, authorization);
        } else {
            h.remove(HttpHeaderNames.AUTHORIZATION);
        }
        if (sendLength) {
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        } else {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        return h;
    }

    private static List<String> connectionTokens(HttpHeaders h) {
        List<String> names = new java.util.ArrayList<>();
        for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String name = token.strip();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static boolean named(List<String> names, CharSequence name) {
        for (String n : names) {
            if (AsciiString.contentEqualsIgnoreCase(n, name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes the backend's response headers the client's: hop-by-hop headers and the upstream rate
     * limits go, the edge's headers replace the backend's of the same name. A stream is always sent
     * chunked (the proxy may drop an event, so a length would be wrong); so is any response without
     * a length and a body ({@code hasBody} is false for 204 and 304).
     */
    static void prepareResponse(HttpHeaders h, HttpHeaders extra, boolean stream, boolean hasBody) {
        removeHopByHop(h);
        for (AsciiString name : UPSTREAM_RATE_LIMITS) {
            h.remove(name);
        }
        if (stream) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        if (hasBody && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (extra != null && !extra.isEmpty()) {
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = extra.iteratorCharSequence(); it.hasNext(); ) {
                h.remove(it.next().getKey());
            }
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = extra.iteratorCharSequence(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                h.add(e.getKey(), e.getValue());
            }
        }
    }

    private static void removeHopByHop(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION)) {
            // Headers named in Connection are hop-by-hop too (RFC 9110 section 7.6.1).
            for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
                for (String token : value.split(",")) {
                    String name = token.strip();
                    if (!name.isEmpty()) {
                        h.remove(name);
                    }
                }
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            h.remove(name);
        }
    }
}
