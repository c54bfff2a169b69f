package ai.dalsi.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.SWARUtil;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * How the proxy reads a response body as it passes: each chunk's readable bytes are copied once,
 * into a per-thread array ({@link #copy(ByteBuf)}), and every reader of the chunk (the usage
 * scanners {@link JsonUsageScanner} and {@link SseUsageFilter}, and {@link GeneratedTextReader})
 * scans that array, not the buffer: one bulk copy out of the (usually direct) buffer instead of one
 * per reader, and no bounds or reference-count check per byte or per block. The scanners skip the
 * bytes that change nothing eight at a time, with Netty's {@link SWARUtil} and the helpers here.
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
     * A chunk's readable bytes, at {@code [0, length())} of {@link #array()}. Valid until closed;
     * closing hands the array back to its thread for the next chunk.
     */
    static final class Copy implements AutoCloseable {
        private byte[] array = new byte[1024];
        private int length;
        private boolean lent;

        byte[] array() {
            return array;
        }

        int length() {
            return length;
        }

        @Override
        public void close() {
            lent = false;
        }
    }

    /** Eight bytes of an array as one long, the first byte lowest. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** {@link SWARUtil} patterns of the line ends. */
    static final long LF = SWARUtil.compilePattern((byte) '\n');
    static final long CR = SWARUtil.compilePattern((byte) '\r');

    /** Grows to the longest chunk seen (the backend codec cuts chunks at 8 KiB). */
    private static final FastThreadLocal<Copy> COPIES = new FastThreadLocal<>() {
        @Override
        protected Copy initialValue() {
            return new Copy();
        }
    };

    private ByteScan() {
    }

    /**
     * Copies the readable bytes of {@code buf} (its indexes and reference count untouched). While a
     * copy is open, another one on the same thread gets an array of its own.
     */
    static Copy copy(ByteBuf buf) {
        Copy copy = COPIES.get();
        if (copy.lent) {
            copy = new Copy();
        }
        int n = buf.readableBytes();
        if (n > copy.array.length) {
            copy.array = new byte[Math.max(n, copy.array.length * 2)];
        }
        buf.getBytes(buf.readerIndex(), copy.array, 0, n);
        copy.length = n;
        copy.lent = true;
        return copy;
    }

    /** {@code b[i, i + 8)} as one long, the first byte lowest, for {@link SWARUtil}. */
    static long word(byte[] b, int i) {
        return (long) LONGS.get(b, i);
    }

    /**
     * The index of the first line end (LF or CR) in {@code b[from, to)}, or -1: eight bytes at a
     * time with Netty's {@link SWARUtil}, the last few one by one. A stream's lines are long
     * runs of bytes that are neither (a chunk's JSON, about 200 bytes).
     */
    static int lineEnd(byte[] b, int from, int to) {
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            long word = word(b, i);
            long ends = SWARUtil.applyPattern(word, LF) | SWARUtil.applyPattern(word, CR);
            if (ends != 0) {
                return i + SWARUtil.getIndex(ends, false);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n' || b[i] == '\r') {
                return i;
            }
        }
        return -1;
    }
}
