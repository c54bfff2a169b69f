package ai.dalsi.loadtest.backend;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code java -jar loadtest.jar backend} as a user runs it: prints its URL, serves, stops on SIGTERM. */
class LoadtestJarBackendIT {

    @Test
    void jarRunsTheBackendUntilTerminated() throws Exception {
        Path jar = Path.of("target", "loadtest.jar");
        assertThat(jar).exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-jar", jar.toString(), "backend", "--port", "0", "--latency-ms", "0")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
            String line = stdout.readLine();
            assertThat(line).startsWith("simulated backend listening on http://127.0.0.1:");
            Matcher url = Pattern.compile("(http://\\S+)").matcher(line);
            assertThat(url.find()).isTrue();

            HttpResponse<String> models = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url.group(1) + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.body()).contains("\"id\":\"dalsi-ai\"", "\"id\":\"dalsi-aivi\"");

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            assertThat(process.exitValue()).isEqualTo(143);
        } finally {
            process.destroyForcibly();
        }
    }
}
