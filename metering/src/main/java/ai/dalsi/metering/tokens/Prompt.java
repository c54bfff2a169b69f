package ai.dalsi.metering.tokens;

import java.util.List;
import java.util.Objects;

/**
 * What a request asks a model to read, as far as counting its tokens goes: chat messages, or plain
 * text (a completions {@code prompt}, an embeddings or image {@code input}/{@code prompt}). Built
 * by {@link PromptReader} from a request body.
 */
public sealed interface Prompt {

    /** No prompt at all (a body without one, or one that could not be read). */
    Text NONE = new Text(List.of(), 0);

    /** Chat messages, counted with OpenAI's per-message overhead ({@link TokenCounter#countPrompt}). */
    record Chat(List<Message> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
        }
    }

    /**
     * Plain prompt text: strings, plus prompts given as token ids (counted one each).
     *
     * @param tokenIds how many token ids the prompt gave directly
     */
    record Text(List<String> texts, int tokenIds) implements Prompt {
        public Text {
            texts = List.copyOf(texts);
        }
    }

    /**
     * One chat message.
     *
     * @param role   {@code system}, {@code user}, {@code assistant}, ... (empty when absent)
     * @param name   the participant's {@code name}, or null
     * @param texts  what the model reads of it besides role and name: the content (a string, or
     *               the text of its text parts), a refusal, a tool call's name and arguments, a
     *               tool result's {@code tool_call_id}
     * @param images image parts of the content
     */
    record Message(String role, String name, List<String> texts, int images) {
        public Message {
            role = Objects.requireNonNullElse(role, "");
            texts = List.copyOf(texts);
        }
    }
}
