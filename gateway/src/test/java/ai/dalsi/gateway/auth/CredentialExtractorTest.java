package ai.dalsi.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialExtractorTest {

    private static final String KEY = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, new SecureRandom());
    private final CredentialExtractor extractor = new CredentialExtractor();

    private Credential extract(String header, String value) {
        HttpHeaders h = new DefaultHttpHeaders();
        if (header != null) {
            h.add(header, value);
        }
        return extractor.extract(h);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer %s", "bearer %s", "BEARER   %s  "})
    void bearer(String format) {
        Credential c = extract("Authorization", format.formatted(KEY));
        assertThat(c).isEqualTo(new Credential.Presented(ApiKeyFormat.sha256Hex(KEY), KeyEnvironment.PRODUCTION));
    }

    @Test
    void xApiKey() {
        assertThat(extract("x-api-key", KEY)).isEqualTo(new Credential.Presented(ApiKeyFormat.sha256Hex(KEY),
                KeyEnvironment.PRODUCTION));
    }

    @Test
    void developmentKeysNameTheirEnvironment() {
        String dev = ApiKeyFormat.generate(KeyEnvironment.DEVELOPMENT, new SecureRandom());
        assertThat(((Credential.Presented) extract("Authorization", "Bearer " + dev)).environment())
                .isEqualTo(KeyEnvironment.DEVELOPMENT);
    }

    @Test
    void missing() {
        assertThat(extract(null, null)).isEqualTo(Credential.MISSING);
        assertThat(extract("Authorization", "Bearer ")).isEqualTo(Credential.MISSING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer sk-123", "Bearer dsk_live_short", "Bearerx %s", "%s"})
    void malformed(String format) {
        assertThat(extract("Authorization", format.formatted(KEY))).isEqualTo(Credential.MALFORMED);
    }

    @Test
    void aTypoIsCaughtByTheChecksum() {
        char last = KEY.charAt(KEY.length() - 1);
        String typo = KEY.substring(0, KEY.length() - 1) + (last == 'a' ? 'b' : 'a');
        assertThat(extract("Authorization", "Bearer " + typo)).isEqualTo(Credential.MALFORMED);
    }

    @Test
    void aKeyWithANonAsciiCharacterIsMalformedEvenWhereItsLowByteWouldPass() {
        // The character 256 above one of the key's has the same low byte: a byte copy alone would
        // keep the prefix, the alphabet and the checksum intact.
        for (int at : new int[] {0, ApiKeyFormat.PREFIX_LENGTH + 3, ApiKeyFormat.LENGTH - 1}) {
            String wide = KEY.substring(0, at) + (char) (KEY.charAt(at) + 0x100) + KEY.substring(at + 1);
            assertThat(extract("Authorization", "Bearer " + wide)).as(wide).isEqualTo(Credential.MALFORMED);
            assertThat(extract("x-api-key", wide)).as(wide).isEqualTo(Credential.MALFORMED);
            assertThat(ApiKeyFormat.isWellFormed(wide)).as(wide).isFalse();
        }
        assertThat(extract("x-api-key", KEY)).isInstanceOf(Credential.Presented.class);
    }

    @Test
    void hashMatchesTheStoredForm() {
        KeyHasher hasher = new KeyHasher();
        assertThat(hasher.sha256Hex(hasher.ascii(KEY), KEY.length())).isEqualTo(ApiKeyFormat.sha256Hex(KEY));
    }

    @Test
    void hashesOfKeysInTurnMatchTheStoredForm() {
        KeyHasher hasher = new KeyHasher();
        String other = ApiKeyFormat.generate(KeyEnvironment.DEVELOPMENT, new SecureRandom());
        for (String s : new String[] {KEY, "x", other, KEY.repeat(2), KEY}) {
            assertThat(hasher.sha256Hex(hasher.ascii(s), s.length())).as(s).isEqualTo(ApiKeyFormat.sha256Hex(s));
        }
    }

    @Test
    void onlyAsciiTextsOfAtMostTheScratchLengthAreCopied() {
        KeyHasher hasher = new KeyHasher();
        assertThat(hasher.ascii("x".repeat(128))).isNotNull();
        assertThat(hasher.ascii("x".repeat(129))).isNull();
        assertThat(hasher.ascii("ab\u00e9")).isNull();
        assertThat(hasher.ascii("ab\u0141")).isNull();
    }
}
