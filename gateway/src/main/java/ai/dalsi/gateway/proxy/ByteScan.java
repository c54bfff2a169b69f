package ai.dalsi.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;

/**
 * {@link ByteBuf#forEachByte(int, int, ByteProcessor)} for the body scanners ({@link JsonUsageScanner},
 * {@link SseUsageFilter}), which see every byte of every response: the bytes are copied a block at a
 * time into a per-thread array and handed on from a loop of its own. Netty's loop calls every
 * processor of the process (the HTTP codec's too) from one call site, so the call is a virtual
 * one per byte, behind a bounds and reference-count check per byte; here it sees only the
 * scanners and is inlined. Same contract: indexes and reference count
 * untouched; returns the index of the first byte the processor returned false for, or -1.
 */
final class ByteScan {

    /**
     * Small, as a scan usually stops early (at the end of each event of a stream) and starts again
     * right after: a block is copied for each start.
     */
    private static final int BLOCK = 512;

    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[BLOCK];
        }
    };

    private ByteScan() {
    }

    static int forEachByte(ByteBuf buf, int index, int length, ByteProcessor processor) {
        try {
            byte[] block = SCRATCH.get();
            int end = index + length;
            for (int at = index; at < end; at += BLOCK) {
                int n = Math.min(BLOCK, end - at);
                buf.getBytes(at, block, 0, n);
                for (int i = 0; i < n; i++) {
                    if (!processor.process(block[i])) {
                        return at + i;
                    }
                }
            }
            return -1;
        } catch (Exception e) {
            PlatformDependent.throwException(e);
            return -1;
        }
    }
}
