package ai.dalsi.loadtest.compare;

import java.net.URI;
import java.util.List;

/**
 * A started arm of the comparison: where to send load, with which keys, and which process is the
 * proxy to measure. Closing it stops what it started.
 */
interface Target extends AutoCloseable {

    String name();

    URI url();

    /** Keys the arm accepts with ample limits. */
    List<String> knownKeys();

    /** Keys the arm accepts with a limit of about one request per minute. */
    List<String> overLimitKeys();

    /** The proxy process (measured for CPU and memory), or -1 for the backend alone. */
    long proxyPid();

    @Override
    void close();
}
