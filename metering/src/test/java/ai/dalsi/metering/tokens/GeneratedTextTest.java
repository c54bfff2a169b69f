package ai.dalsi.metering.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What {@link GeneratedText} keeps unread and reads when asked: the same text, in order, whatever the sizes. */
class GeneratedTextTest {

    private static byte[] chunk(int choice, String delta) {
        return ("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":" + choice
                + ",\"delta\":{\"content\":\"" + delta + "\"}}]}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aStreamLongerThanWhatIsKeptUnreadIsReadInOrderAndTheCallersArrayMayBeReused() {
        GeneratedText g = new GeneratedText();
        StringBuilder zero = new StringBuilder();
        StringBuilder one = new StringBuilder();
        byte[] reused = new byte[256];
        for (int i = 0; i < 3000; i++) { // about 3000 * 90 bytes: several times the unread bound
            String delta = "w" + i + " ";
            byte[] c = chunk(i % 2, delta);
            System.arraycopy(c, 0, reused, 7, c.length);
            g.addJson(reused, 7, c.length);
            java.util.Arrays.fill(reused, (byte) 'x');
            (i % 2 == 0 ? zero : one).append(delta);
        }
        assertThat(g.isEmpty()).isFalse();
        assertThat(g.choices()).containsExactly(zero.toString(), one.toString());
    }

    @Test
    void objectsOfEverySizeAroundAPageAreReadInOrder() {
        GeneratedText g = new GeneratedText();
        StringBuilder zero = new StringBuilder();
        StringBuilder one = new StringBuilder();
        int framing = chunk(0, "").length + 4; // an object's bytes besides its delta, and its length
        int[] offs = {0, 1, 2, 3, 4, 5, 100}; // an object with its length is a page, or this much less or more
        int i = 0;
        for (int round = 0; round < 4; round++) {
            for (int off : offs) {
                for (int sign : new int[] {1, -1}) {
                    int size = Math.max(1, GeneratedText.PAGE - framing - sign * off);
                    String delta = (char) ('a' + i % 26) + "x".repeat(size - 1);
                    g.addJson(chunk(i % 2, delta));
                    (i % 2 == 0 ? zero : one).append(delta);
                    String small = "s" + i + " "; // a small object between the big ones
                    g.addJson(chunk(i % 2, small));
                    (i % 2 == 0 ? zero : one).append(small);
                    i++;
                }
            }
            g.addJson(chunk(0, "y".repeat(GeneratedText.PAGE * 3))); // larger than a page, smaller than the bound
            zero.append("y".repeat(GeneratedText.PAGE * 3));
        }
        assertThat(g.choices()).containsExactly(zero.toString(), one.toString());
        g.addJson(chunk(1, "after"));
        assertThat(g.choices()).containsExactly(zero.toString(), one + "after");
    }

    @Test
    void anAnswerLargerThanTheBoundIsReadAtOnceAfterWhatCameBefore() {
        GeneratedText g = new GeneratedText().addJson(chunk(0, "first "));
        String big = "b".repeat(GeneratedText.PENDING_LIMIT);
        g.addJson(chunk(0, big));
        g.addJson(chunk(0, " last"));
        assertThat(g.choices()).containsExactly("first " + big + " last");
    }

    @Test
    void nothingAddedOrOnlyFramingIsEmpty() {
        assertThat(new GeneratedText().isEmpty()).isTrue();
        GeneratedText framing = new GeneratedText().addJson("[DONE]".getBytes(StandardCharsets.UTF_8))
                .addJson(new byte[0], 0, 0).addJson("{\"usage\":{\"total_tokens\":3}}".getBytes(StandardCharsets.UTF_8));
        assertThat(framing.isEmpty()).isTrue();
        assertThat(framing.choices()).isEmpty();
    }
}
