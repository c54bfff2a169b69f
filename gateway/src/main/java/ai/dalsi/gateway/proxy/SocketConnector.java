package ai.dalsi.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Connects over TCP with the inbound channel's transport (io_uring, epoll or NIO: a channel can only be
 * registered on an event loop of its own kind) and resolves host names with Netty's non-blocking
 * DNS resolver, because the JDK's would block the event loop. A backend given by address needs no
 * resolver, and gets none: an event loop that only ever connects to addresses opens no DNS socket.
 */
final class SocketConnector implements BackendConnector {

    private final int connectTimeoutMillis;
    private final DnsAddressResolverGroup nioResolver;
    private final DnsAddressResolverGroup epollResolver;
    private final DnsAddressResolverGroup uringResolver;

    SocketConnector(ProxyConfig config) {
        this.connectTimeoutMillis = (int) config.connectTimeout().toMillis();
        // Read /etc/hosts and /etc/resolv.conf now, on the thread that builds the proxy, not on an event loop.
        HostsFileEntriesResolver.DEFAULT.address("localhost", io.netty.resolver.ResolvedAddressTypes.IPV4_PREFERRED);
        DnsServerAddressStreamProviders.platformDefault();
        this.nioResolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(NioDatagramChannel.class)
                .socketChannelType(NioSocketChannel.class));
        this.epollResolver = Epoll.isAvailable()
                ? new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                        .datagramChannelType(EpollDatagramChannel.class)
                        .socketChannelType(EpollSocketChannel.class))
                : null;
        this.uringResolver = IoUring.isAvailable()
                ? new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                        .datagramChannelType(IoUringDatagramChannel.class)
                        .socketChannelType(IoUringSocketChannel.class))
                : null;
    }

    @Override
    public ChannelFuture connect(Channel inbound, BackendTarget target, ChannelHandler initializer) {
        boolean epoll = inbound instanceof EpollSocketChannel;
        boolean uring = inbound instanceof IoUringSocketChannel;
        if (!epoll && !uring && !(inbound instanceof NioSocketChannel)) {
            throw new IllegalStateException("unsupported inbound transport: " + inbound.getClass().getName());
        }
        Class<? extends SocketChannel> channelClass = uring ? IoUringSocketChannel.class
                : epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(target.host());
        if (literal != null) {
            // An address, not a name: nothing to resolve, so no resolver (and none of its UDP sockets).
            return bootstrap(inbound, channelClass, initializer)
                    .resolver(NoopAddressResolverGroup.INSTANCE)
                    .connect(new InetSocketAddress(literal, target.port()));
        }
        return bootstrap(inbound, channelClass, initializer)
                .resolver(uring ? uringResolver : epoll ? epollResolver : nioResolver)
                .connect(InetSocketAddress.createUnresolved(target.host(), target.port()));
    }

    private Bootstrap bootstrap(Channel inbound, Class<? extends SocketChannel> channelClass,
            ChannelHandler initializer) {
        return new Bootstrap()
                .group(inbound.eventLoop())
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(initializer);
    }

    @Override
    public void close() {
        nioResolver.close();
        if (epollResolver != null) {
            epollResolver.close();
        }
        if (uringResolver != null) {
            uringResolver.close();
        }
    }
}
