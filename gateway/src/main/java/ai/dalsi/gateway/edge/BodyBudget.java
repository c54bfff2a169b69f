package ai.dalsi.gateway.edge;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The memory request bodies may hold at once, in total and per client address
 * ({@code edge.maxBodyBytesInFlight}, {@code edge.maxBodyBytesInFlightPerAddress}). A body reserves
 * its declared length before a byte of it is read (a chunked body grows its reservation as it
 * arrives); a body that does not fit is shed with 503 instead of being read, so a flood of large
 * uploads meets a refusal, never an {@code OutOfDirectMemoryError}. A {@link Lease} gives its bytes
 * back once, when the body is freed. Shared by every connection; reservations are rare (one per
 * request body) and short, so one lock is enough.
 */
final class BodyBudget {

    private final long total;
    private final long perAddress;
    private final Map<InetAddress, long[]> byAddress = new HashMap<>();
    private long used;

    BodyBudget(long total, long perAddress) {
        this.total = total;
        this.perAddress = perAddress;
    }

    /** Reserves {@code bytes} for a body from {@code address} (null: counted in the total only), or null when over. */
    Lease tryReserve(InetAddress address, long bytes) {
        Lease lease = new Lease(address);
        return lease.grow(bytes) ? lease : null;
    }

    /** Bytes reserved now, all addresses. */
    synchronized long used() {
        return used;
    }

    /** Bytes reserved now by one address. */
    synchronized long used(InetAddress address) {
        long[] n = byAddress.get(address);
        return n == null ? 0 : n[0];
    }

    private synchronized boolean take(InetAddress address, long bytes) {
        long[] mine = address == null ? null : byAddress.get(address);
        long own = mine == null ? 0 : mine[0];
        if (used + bytes > total || (address != null && own + bytes > perAddress)) {
            return false;
        }
        used += bytes;
        if (address != null) {
            if (mine == null) {
                byAddress.put(address, new long[] {bytes});
            } else {
                mine[0] += bytes;
            }
        }
        return true;
    }

    private synchronized void give(InetAddress address, long bytes) {
        used -= bytes;
        if (address != null) {
            long[] mine = byAddress.get(address);
            if (mine != null && (mine[0] -= bytes) <= 0) {
                byAddress.remove(address);
            }
        }
    }

    /** One body's reservation: grown on its connection's event loop, released once from wherever the body is freed. */
    final class Lease {
        private final InetAddress address;
        private long bytes;
        private boolean released;

        private Lease(InetAddress address) {
            this.address = address;
        }

        /** Reserves {@code more} bytes on top; false (nothing reserved) when over a budget. */
        boolean grow(long more) {
            if (released || more < 0) {
                return false;
            }
            if (more == 0 || take(address, more)) {
                bytes += more;
                return true;
            }
            return false;
        }

        long bytes() {
            return bytes;
        }

        /** Gives the bytes back; only the first call counts (the body may be freed on another thread). */
        void release() {
            synchronized (BodyBudget.this) {
                if (!released) {
                    released = true;
                    give(address, bytes);
                }
            }
        }
    }
}
