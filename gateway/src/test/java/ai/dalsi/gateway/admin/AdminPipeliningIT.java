package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Requests written at once on one connection (HTTP pipelining) are all answered, in the order they
 * were sent, even when the last one closes the connection and the first one is slow work: a
 * rotation whose answer carries the only copy of the new key.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminPipeliningIT {

    private final AdminFixture f;
    private final String userId;
    private String keyId;

    AdminPipeliningIT(TestDatabase db) {
        // The scopes a key may hold are those the catalog's products require.
        new ai.dalsi.gateway.testing.EdgeSeed(db.dsl()).standardCatalog();
        f = new AdminFixture(db);
        userId = f.newUser("pipelining@example.com");
        keyId = f.token.post("/admin/keys", json("{'user_id':'" + userId + "','name':'p','scopes':['ai.chat']}"))
                .json().get("id").asText();
    }

    @AfterAll
    void close() {
        f.close();
    }

    /** One response off the wire. */
    record Answer(int status, String body) {
    }

    @RepeatedTest(5)
    void threeRequestsWrittenAtOnceAreAllAnsweredInRequestOrder() throws IOException {
        String auth = "Authorization: Bearer " + AdminFixture.TOKEN + "\r\n";
        String requests = "POST /admin/keys/" + keyId + "/rotate HTTP/1.1\r\nHost: a\r\n" + auth
                + "Content-Length: 0\r\n\r\n"
                + "GET /admin/keys?user_id=" + userId + " HTTP/1.1\r\nHost: a\r\n" + auth + "\r\n"
                + "GET /health/live HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
        List<Answer> answers;
        try (Socket s = new Socket("127.0.0.1", f.server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(requests.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            answers = readAll(s.getInputStream());
        }
        assertThat(answers).as("every request answered").hasSize(3);
        assertThat(answers.get(0).status()).as(answers.get(0).body()).isEqualTo(201);
        JsonNode rotated = AdminHttp.JSON.readTree(answers.get(0).body());
        assertThat(rotated.get("key").asText()).startsWith("dsk_live_");
        assertThat(rotated.get("rotated_from").asText()).isEqualTo(keyId);
        assertThat(answers.get(1).status()).isEqualTo(200);
        JsonNode listed = AdminHttp.JSON.readTree(answers.get(1).body()).get("data");
        assertThat(listed.findValuesAsText("id")).as("the list was made after the rotation")
                .contains(rotated.get("id").asText());
        assertThat(answers.get(2)).isEqualTo(new Answer(200, "{\"status\":\"live\"}"));
        keyId = rotated.get("id").asText();
    }

    /** Responses until the server closes the connection. */
    private static List<Answer> readAll(InputStream in) throws IOException {
        List<Answer> answers = new ArrayList<>();
        String statusLine;
        while ((statusLine = line(in)) != null) {
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = 0;
            String header;
            while (!(header = line(in)).isEmpty()) {
                String h = header.toLowerCase(Locale.ROOT);
                if (h.startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring("content-length:".length()).strip());
                }
            }
            answers.add(new Answer(status, new String(in.readNBytes(length), StandardCharsets.UTF_8)));
        }
        return answers;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }
}
