package ai.dalsi.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The in-flight body budget: the total and the per-address bounds, and each lease given back once. */
class BodyBudgetTest {

    private final BodyBudget budget = new BodyBudget(100, 60);
    private final InetAddress a = InetAddress.getLoopbackAddress();
    private final InetAddress b = InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1});

    BodyBudgetTest() throws Exception {
    }

    @Test
    void oneAddressCannotTakeMoreThanItsShare() {
        BodyBudget.Lease first = budget.tryReserve(a, 40);
        assertThat(first).isNotNull();
        assertThat(budget.tryReserve(a, 21)).as("40 + 21 > 60 for one address").isNull();
        BodyBudget.Lease second = budget.tryReserve(a, 20);
        assertThat(second).isNotNull();
        assertThat(budget.used(a)).isEqualTo(60);
        first.release();
        second.release();
        assertThat(budget.used(a)).isZero();
        assertThat(budget.used()).isZero();
    }

    @Test
    void allAddressesTogetherStayWithinTheTotal() {
        BodyBudget.Lease fromA = budget.tryReserve(a, 60);
        BodyBudget.Lease fromB = budget.tryReserve(b, 40);
        assertThat(budget.tryReserve(null, 1)).as("the total is spent").isNull();
        assertThat(fromB.grow(1)).as("a growing body meets the same bound").isFalse();
        assertThat(fromB.bytes()).isEqualTo(40);
        fromA.release();
        assertThat(fromB.grow(10)).isTrue();
        assertThat(budget.used()).isEqualTo(50);
        fromB.release();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aLeaseIsGivenBackOnceHoweverOftenItIsReleased() {
        BodyBudget.Lease lease = budget.tryReserve(a, 30);
        BodyBudget.Lease other = budget.tryReserve(a, 30);
        lease.release();
        lease.release();
        assertThat(budget.used(a)).isEqualTo(30);
        assertThat(lease.grow(5)).as("a released lease cannot grow again").isFalse();
        other.release();
        assertThat(budget.used()).isZero();
    }
}
