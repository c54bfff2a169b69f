package ai.dalsi.gateway.edge;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public port's transport: io_uring, epoll or NIO, the best that the settings allow and the
 * kernel offers. io_uring hands the kernel a loop's sends and receives in one system call where
 * epoll makes one each (see the README's Benchmarks for what that saves); a kernel or a seccomp
 * profile that refuses io_uring gets epoll. Backend connections follow the accepted connection's
 * transport (a channel can only be registered on an event loop of its own kind).
 */
enum EdgeTransport {
    IO_URING("io_uring"),
    EPOLL("epoll"),
    NIO("nio");

    private static final Logger LOG = LoggerFactory.getLogger(EdgeTransport.class);

    private final String label;

    EdgeTransport(String label) {
        this.label = label;
    }

    /** The transport for {@code edge.nativeTransport} and {@code edge.ioUring}. */
    static EdgeTransport choose(boolean nativeTransport, boolean ioUring) {
        if (!nativeTransport) {
            return NIO;
        }
        if (ioUring) {
            if (IoUring.isAvailable()) {
                return IO_URING;
            }
            LOG.info("io_uring is not available here ({}); the edge uses {}", IoUring.unavailabilityCause(),
                    Epoll.isAvailable() ? "epoll" : "nio");
        }
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    Class<? extends ServerChannel> serverChannel() {
        return switch (this) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    /** As logs and the start line name it: io_uring, epoll, nio. */
    @Override
    public String toString() {
        return label;
    }
}
