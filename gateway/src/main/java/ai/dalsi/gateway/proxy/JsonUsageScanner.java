package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.TokenUsage;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteBufferFeeder;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Finds the usage in a plain JSON response body while it is forwarded: each chunk is fed to
 * Jackson's non-blocking parser before it is written on, so no copy of the body is kept and the
 * chunk can be released as soon as it was sent. Bodies over the limit, or that are not JSON, are
 * given up on: their usage is reported as none.
 */
final class JsonUsageScanner {

    private final JsonParser parser;
    private final ByteBufferFeeder feeder;
    private final UsageReader reader = new UsageReader();
    private final long limit;
    private long fed;
    private boolean failed;

    JsonUsageScanner(JsonFactory json, long limit) {
        try {
            this.parser = json.createNonBlockingByteBufferParser();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        this.feeder = (ByteBufferFeeder) parser.getNonBlockingInputFeeder();
        this.limit = limit;
    }

    /** Reads the chunk's readable bytes; does not change its indexes or its reference count. */
    void feed(ByteBuf content) {
        int n = content.readableBytes();
        if (failed || n == 0) {
            return;
        }
        fed += n;
        if (fed > limit) {
            fail();
            return;
        }
        try {
            if (content.nioBufferCount() == 1) {
                feedAndDrain(content.nioBuffer());
            } else {
                for (ByteBuffer b : content.nioBuffers()) {
                    feedAndDrain(b);
                }
            }
        } catch (IOException | RuntimeException e) {
            fail();
        }
    }

    private void feedAndDrain(ByteBuffer b) throws IOException {
        feeder.feedInput(b);
        // Consume every token the bytes complete: the feeder takes new input only once the last is used up.
        JsonToken t;
        while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
            reader.token(t, parser);
        }
    }

    /** The body ended: the usage it carried, or null. Closes the parser. */
    TokenUsage finish() {
        if (failed) {
            return null;
        }
        try {
            feeder.endOfInput();
            JsonToken t;
            while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
                reader.token(t, parser);
            }
            return reader.usage();
        } catch (IOException | RuntimeException e) {
            return null;
        } finally {
            close();
        }
    }

    /** Gives up (the exchange failed): closes the parser. */
    void close() {
        try {
            parser.close();
        } catch (IOException ignored) {
            // Nothing to release beyond the parser's own buffers.
        }
    }

    private void fail() {
        failed = true;
        close();
    }
}
