package ai.dalsi.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * {@link ByteBuf#forEachByte(int, int, io.netty.util.ByteProcessor)} for the body scanners
 * ({@link JsonUsageScanner}, {@link SseUsageFilter}), which see every byte of every response: the
 * bytes are copied a block at a time into a per-thread array and handed to the scanner a block at a
 * time, so it can run over the bytes that change nothing (most of a JSON string, most of an event's
 * line) in a tight loop of its own. Netty's loop calls every processor of the process (the HTTP
 * codec's too) from one call site, so the call is a virtual one per byte, behind a bounds and
 * reference-count check per byte. Same contract: indexes and reference count untouched; returns the
 * index of the first byte the processor stopped at, or -1.
 */
final class ByteScan {

    /** A scanner of bytes, taken one at a time or a block at a time. */
    interface Processor {

        /** Takes the next byte; false stops the scan at it. */
        boolean process(byte b);

        /**
         * Takes {@code block[from, to)}, exactly as calling {@link #process(byte)} on each byte in
         * order would: returns the index of the byte that returned false, or -1 when none did. A
         * scanner overrides this to skip the bytes that cannot change its state.
         */
        default int process(byte[] block, int from, int to) {
            for (int i = from; i < to; i++) {
                if (!process(block[i])) {
                    return i;
                }
            }
            return -1;
        }
    }

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

    static int forEachByte(ByteBuf buf, int index, int length, Processor processor) {
        byte[] block = SCRATCH.get();
        int end = index + length;
        for (int at = index; at < end; at += BLOCK) {
            int n = Math.min(BLOCK, end - at);
            buf.getBytes(at, block, 0, n);
            int stop = processor.process(block, 0, n);
            if (stop >= 0) {
                return at + stop;
            }
        }
        return -1;
    }
}
