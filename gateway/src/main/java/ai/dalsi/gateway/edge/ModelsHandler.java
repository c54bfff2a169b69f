package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.catalog.Catalog;
import ai.dalsi.gateway.catalog.RouteMatch;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import java.util.function.Supplier;

/**
 * Answers {@code GET /v1/models} (OpenAI's list of the models the key's tier may use, rendered
 * once per catalog load) and {@code GET /v1/models/{model}}; passes everything else on.
 */
final class ModelsHandler extends ExchangeStep {

    private final Supplier<Catalog> catalog;
    private final ExchangeResponder responder;

    ModelsHandler(Supplier<Catalog> catalog, ExchangeResponder responder) {
        this.catalog = catalog;
        this.responder = responder;
    }

    @Override
    void handle(ChannelHandlerContext ctx, Exchange ex) {
        if (ex.route instanceof RouteMatch.ModelList) {
            responder.ok(ctx, ex, Unpooled.wrappedBuffer(catalog.get().modelList(ex.key.tier())));
        } else if (ex.route instanceof RouteMatch.ModelRetrieve) {
            responder.ok(ctx, ex, Unpooled.wrappedBuffer(Catalog.modelObject(ex.model)));
        } else {
            ctx.fireChannelRead(ex);
        }
    }
}
