package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.NettyLeakExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakExtension.class)
class ByteScanTest {

    /** 3,000 bytes: 'a' everywhere, an 'x' at each index in {@code marks}. */
    private static byte[] bytes(int... marks) {
        byte[] b = new byte[3000];
        java.util.Arrays.fill(b, (byte) 'a');
        for (int m : marks) {
            b[m] = 'x';
        }
        return b;
    }

    private static List<ByteBuf> shapes(byte[] b) {
        byte[] padded = new byte[b.length + 17];
        System.arraycopy(b, 0, padded, 7, b.length);
        return List.of(Unpooled.directBuffer(b.length).writeBytes(b), Unpooled.wrappedBuffer(b),
                Unpooled.wrappedBuffer(padded, 7, b.length),
                Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(b, 0, 1000), Unpooled.directBuffer().writeBytes(b, 1000, 2000)));
    }

    private static final ByteScan.Processor UNTIL_X = v -> v != 'x';

    @Test
    void findsWhatNettysOwnLoopFindsFromAnyStartInEveryKindOfBuffer() {
        for (int mark : new int[] {0, 511, 512, 513, 1999, 2999}) {
            for (ByteBuf buf : shapes(bytes(mark))) {
                for (int from : new int[] {0, 1, 500, 512, 1500}) {
                    int length = 3000 - from;
                    assertThat(ByteScan.forEachByte(buf, from, length, UNTIL_X))
                            .as("mark %d from %d in %s", mark, from, buf.getClass().getSimpleName())
                            .isEqualTo(buf.forEachByte(from, length, UNTIL_X::process));
                }
                assertThat(ByteScan.forEachByte(buf, 0, mark, UNTIL_X)).as("the range ends before the mark").isEqualTo(-1);
                assertThat(buf.readerIndex()).isZero();
                assertThat(buf.refCnt()).isEqualTo(1);
                buf.release();
            }
        }
    }

    @Test
    void handsOnEveryByteInOrderAndTheBufferStaysUntouched() {
        byte[] b = new byte[1300];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        for (ByteBuf buf : List.of(Unpooled.directBuffer().writeBytes(b), Unpooled.wrappedBuffer(b))) {
            List<Byte> seen = new ArrayList<>();
            assertThat(ByteScan.forEachByte(buf, 3, 1297, v -> seen.add(v))).isEqualTo(-1);
            assertThat(seen).hasSize(1297);
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i)).isEqualTo(b[i + 3]);
            }
            assertThat(buf.readerIndex()).isZero();
            assertThat(buf.writerIndex()).isEqualTo(1300);
            buf.release();
        }
    }
}
