package ai.dalsi.gateway.simulator;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Counts open client connections in {@link SimulatorStats}. */
@ChannelHandler.Sharable
final class ConnectionCountHandler extends ChannelInboundHandlerAdapter {

    private final SimulatorStats stats;

    ConnectionCountHandler(SimulatorStats stats) {
        this.stats = stats;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        stats.connectionOpened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stats.connectionClosed();
        ctx.fireChannelInactive();
    }
}
