package ai.dalsi.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringServerSocketChannel;
import org.junit.jupiter.api.Test;

class EdgeTransportTest {

    @Test
    void withoutANativeTransportItIsNio() {
        assertThat(EdgeTransport.choose(false, true)).isEqualTo(EdgeTransport.NIO);
        assertThat(EdgeTransport.choose(false, false).serverChannel()).isEqualTo(NioServerSocketChannel.class);
    }

    @Test
    void ioUringWhereTheKernelOffersItElseEpoll() {
        EdgeTransport t = EdgeTransport.choose(true, true);
        if (IoUring.isAvailable()) {
            assertThat(t).isEqualTo(EdgeTransport.IO_URING);
            assertThat(t.serverChannel()).isEqualTo(IoUringServerSocketChannel.class);
        } else {
            assertThat(t).isEqualTo(Epoll.isAvailable() ? EdgeTransport.EPOLL : EdgeTransport.NIO);
        }
        assertThat(t.ioHandlerFactory()).isNotNull();
    }

    @Test
    void epollWhenIoUringIsTurnedOff() {
        EdgeTransport t = EdgeTransport.choose(true, false);
        assertThat(t).isEqualTo(Epoll.isAvailable() ? EdgeTransport.EPOLL : EdgeTransport.NIO);
        if (Epoll.isAvailable()) {
            assertThat(t.serverChannel()).isEqualTo(EpollServerSocketChannel.class);
        }
        assertThat(t).hasToString(Epoll.isAvailable() ? "epoll" : "nio");
    }
}
