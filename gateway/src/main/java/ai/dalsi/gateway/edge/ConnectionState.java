package ai.dalsi.gateway.edge;

/**
 * Per-connection state shared by the handlers of one channel: the exchange in flight (at most
 * one: requests are served one at a time, in order). Confined to the channel's event loop.
 */
final class ConnectionState {

    Exchange current;

    /** The connection's read deadlines, or null (handler tests without them). */
    ReadDeadlines deadlines;

    /** The last client address seen on this connection and its text, so it is formatted once, not per request. */
    java.net.InetSocketAddress lastClient;
    String lastClientText;
}
