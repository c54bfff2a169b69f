package ai.dalsi.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyFormatTest {

    private final SecureRandom random = new SecureRandom();

    @ParameterizedTest
    @EnumSource(KeyEnvironment.class)
    void generatedKeysAreWellFormedForTheirEnvironment(KeyEnvironment env) {
        String key = ApiKeyFormat.generate(env, random);
        assertThat(key).hasSize(47).startsWith(env.keyPrefix()).matches("dsk_(live|test)_[0-9A-Za-z]{38}");
        assertThat(ApiKeyFormat.environmentOf(key)).isEqualTo(env);
        assertThat(ApiKeyFormat.displayPrefix(key)).isEqualTo(key.substring(0, 12));
    }

    @Test
    void everyMistypedCharacterIsCaught() {
        String key = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, random);
        for (int i = 9; i < key.length(); i++) {
            char c = key.charAt(i);
            char other = c == 'a' ? 'b' : 'a';
            String typo = key.substring(0, i) + other + key.substring(i + 1);
            assertThat(ApiKeyFormat.isWellFormed(typo)).as("typo at %d", i).isFalse();
        }
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH",
        "dsk_live_",
        "dsk_prod_0123456789012345678901234567890123456",
        "dsk_live_01234567890123456789012345678901234-_",
        "dsk_live_0123456789012345678901234567890123456789",
    })
    void garbageIsRefused(String text) {
        assertThat(ApiKeyFormat.environmentOf(text)).isNull();
    }

    @Test
    void hashIsHexSha256AndComparesInConstantTime() {
        assertThat(ApiKeyFormat.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        String key = ApiKeyFormat.generate(KeyEnvironment.DEVELOPMENT, random);
        assertThat(ApiKeyFormat.hashesEqual(ApiKeyFormat.sha256Hex(key), ApiKeyFormat.sha256Hex(key))).isTrue();
        assertThat(ApiKeyFormat.hashesEqual(ApiKeyFormat.sha256Hex(key), ApiKeyFormat.sha256Hex("x"))).isFalse();
        assertThat(ApiKeyFormat.hashesEqual(null, "x")).isFalse();
    }

    @Test
    void keysDoNotRepeat() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            keys.add(ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, random));
        }
        assertThat(keys).hasSize(1000);
    }
}
