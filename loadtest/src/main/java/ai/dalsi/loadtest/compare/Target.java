package ai.dalsi.loadtest.compare;

import java.net.URI;
import java.util.List;

/**
 * A started arm of the comparison: where to send load, with which keys, and which process is the
 * proxy to measure. Closing it stops what it started.
 */
abstract class Target implements AutoCloseable {

    private final String name;
    private final URI url;
    private final List<String> knownKeys;
    private final List<String> overLimitKeys;

    Target(String name, URI url, List<String> knownKeys, List<String> overLimitKeys) {
        this.name = name;
        this.url = url;
        this.knownKeys = List.copyOf(knownKeys);
        this.overLimitKeys = List.copyOf(overLimitKeys);
    }

    final String name() {
        return name;
    }

    final URI url() {
        return url;
    }

    /** Keys the arm accepts with ample limits. */
    final List<String> knownKeys() {
        return knownKeys;
    }

    /** Keys the arm accepts with a limit of about one request per minute. */
    final List<String> overLimitKeys() {
        return overLimitKeys;
    }

    /** The proxy process (measured for CPU and memory), or -1 for the backend alone. */
    abstract long proxyPid();

    @Override
    public abstract void close();
}
