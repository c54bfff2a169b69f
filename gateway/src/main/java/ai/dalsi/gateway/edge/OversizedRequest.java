package ai.dalsi.gateway.edge;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * A request whose body exceeded the limit: the aggregator fires this instead of the request (the
 * body was dropped), so that it still goes through authentication (a known key is metered) and
 * ends in 413.
 */
record OversizedRequest(HttpMethod method, String uri, HttpHeaders headers) {
}
