package ai.dalsi.loadtest.backend;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendCommandIT {

    @Test
    void startedBackendListsTheModelsAndPrintsItsUrl() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BackendCommand command = new BackendCommand(new PrintStream(out, true, UTF_8), System.err);

        try (SimulatedBackend backend = command.start(SimulatorConfig.builder().port(0)
                .latency(java.time.Duration.ZERO).models(List.of("m1", "m2")).build())) {
            assertThat(out.toString(UTF_8)).startsWith("simulated backend listening on " + backend.baseUrl() + " (");

            HttpResponse<String> models = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(backend.baseUrl() + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.body()).startsWith("{\"object\":\"list\",\"data\":[{\"id\":\"m1\",\"object\":\"model\"")
                    .contains("{\"id\":\"m2\"");
        }
    }
}
