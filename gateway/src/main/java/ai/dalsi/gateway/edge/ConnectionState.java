package ai.dalsi.gateway.edge;

/**
 * Per-connection state shared by the handlers of one channel: the exchange in flight (at most
 * one: requests are served one at a time, in order). Confined to the channel's event loop.
 */
final class ConnectionState {

    Exchange current;
}
