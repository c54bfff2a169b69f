package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.NettyLeakExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakExtension.class)
class ByteScanTest {

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /** The same 3,000 bytes in every kind of buffer a backend's chunk may be, 7 bytes already read. */
    private static List<ByteBuf> shapes(byte[] b) {
        byte[] padded = new byte[b.length + 17];
        System.arraycopy(b, 0, padded, 7, b.length);
        ByteBuf read = Unpooled.directBuffer().writeBytes(new byte[7]).writeBytes(b);
        read.readerIndex(7);
        return List.of(Unpooled.directBuffer(b.length).writeBytes(b), Unpooled.wrappedBuffer(b),
                Unpooled.wrappedBuffer(padded, 7, b.length), read,
                Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(b, 0, 1000), Unpooled.directBuffer().writeBytes(b, 1000, 2000)));
    }

    @Test
    void aCopyHoldsTheReadableBytesFromIndexZeroAndTheBufferStaysUntouched() {
        byte[] b = bytes(3000, 5);
        for (ByteBuf buf : shapes(b)) {
            int reader = buf.readerIndex();
            try (ByteScan.Copy copy = ByteScan.copy(buf)) {
                assertThat(copy.length()).isEqualTo(3000);
                assertThat(Arrays.copyOf(copy.array(), copy.length())).as(buf.getClass().getSimpleName()).isEqualTo(b);
            }
            assertThat(buf.readerIndex()).isEqualTo(reader);
            assertThat(buf.writerIndex()).isEqualTo(reader + 3000);
            assertThat(buf.refCnt()).isEqualTo(1);
            buf.release();
        }
    }

    @Test
    void aCopyTakenWhileAnotherIsOpenHasAnArrayOfItsOwnAndAClosedOneIsReused() {
        ByteBuf first = Unpooled.wrappedBuffer(bytes(100, 1));
        ByteBuf second = Unpooled.wrappedBuffer(bytes(200, 2));
        byte[] reused;
        try (ByteScan.Copy outer = ByteScan.copy(first)) {
            try (ByteScan.Copy inner = ByteScan.copy(second)) {
                assertThat(inner.array()).isNotSameAs(outer.array());
                assertThat(Arrays.copyOf(inner.array(), 200)).isEqualTo(bytes(200, 2));
            }
            assertThat(Arrays.copyOf(outer.array(), outer.length())).as("the open copy is left alone").isEqualTo(bytes(100, 1));
            reused = outer.array();
        }
        try (ByteScan.Copy next = ByteScan.copy(second)) {
            assertThat(next.array()).as("the thread's array, given back").isSameAs(reused);
            assertThat(next.length()).isEqualTo(200);
        }
        first.release();
        second.release();
    }

    @Test
    void theArrayGrowsForALongerChunkAndAnEmptyOneCopiesNothing() {
        ByteBuf big = Unpooled.wrappedBuffer(bytes(20_000, 3));
        try (ByteScan.Copy copy = ByteScan.copy(big)) {
            assertThat(copy.length()).isEqualTo(20_000);
            assertThat(Arrays.copyOf(copy.array(), 20_000)).isEqualTo(bytes(20_000, 3));
        }
        try (ByteScan.Copy copy = ByteScan.copy(Unpooled.EMPTY_BUFFER)) {
            assertThat(copy.length()).isZero();
        }
        big.release();
    }
}
