package ai.dalsi.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;

/** Opens a connection to a backend on the inbound channel's event loop. */
interface BackendConnector extends AutoCloseable {

    /**
     * Connects to {@code target} with a channel of the inbound channel's transport, registered on its
     * event loop, {@code AUTO_READ} off, its pipeline set up by {@code initializer}.
     */
    ChannelFuture connect(Channel inbound, BackendTarget target, ChannelHandler initializer);

    @Override
    void close();
}
