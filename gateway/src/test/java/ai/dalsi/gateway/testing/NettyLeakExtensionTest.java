package ai.dalsi.gateway.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakExtension.class)
class NettyLeakExtensionTest {

    @Test
    void aLeakedBufferFailsTheCheck() {
        leak();
        assertThatThrownBy(NettyLeakExtension::assertNoLeaks)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ByteBuf leak")
                .hasMessageContaining("leaked on purpose by NettyLeakExtensionTest");
    }

    @Test
    void releasedBuffersPass() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(16);
        buf.writeLong(42);
        buf.release();
        assertThatCode(NettyLeakExtension::assertNoLeaks).doesNotThrowAnyException();
    }

    private static void leak() {
        ByteBuf buf = Unpooled.directBuffer(16);
        buf.touch("leaked on purpose by NettyLeakExtensionTest");
    }
}
