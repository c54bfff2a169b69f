package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which database URLs name a server whose CPU the comparison can read from this machine's /proc. */
class DatabaseHostTest {

    @Test
    void loopbackHostsAndNoHostAreThisMachine() {
        assertThat(Compare.isOnThisMachine("jdbc:postgresql://127.0.0.1:5432/postgres")).isTrue();
        assertThat(Compare.isOnThisMachine("jdbc:postgresql://localhost/postgres?user=x")).isTrue();
        assertThat(Compare.isOnThisMachine("jdbc:postgresql://[::1]:5432/postgres")).isTrue();
        assertThat(Compare.isOnThisMachine("jdbc:postgresql:///postgres")).isTrue();
        assertThat(Compare.isOnThisMachine("jdbc:postgresql:postgres")).isTrue();
    }

    @Test
    void anyOtherHostIsNot() {
        assertThat(Compare.isOnThisMachine("jdbc:postgresql://db.internal:5432/postgres")).isFalse();
        assertThat(Compare.isOnThisMachine("jdbc:postgresql://10.0.0.5/postgres")).isFalse();
        assertThat(Compare.isOnThisMachine("jdbc:postgresql://127.0.0.1,db.internal/postgres")).isFalse();
        assertThat(Compare.isOnThisMachine("jdbc:postgresql://[2001:db8::1]:5432/postgres")).isFalse();
    }
}
