package ai.dalsi.gateway.edge;

/** Server-wide state the handlers read: whether the server is draining for shutdown. */
final class EdgeLifecycle {

    private volatile boolean draining;

    boolean draining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }
}
