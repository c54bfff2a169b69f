package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated nginx.conf, checked for the structure nginx expects (NginxArmIT also runs nginx -t). */
class NginxConfigTest {

    private static final List<String> KNOWN = List.of("dsk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaAAAAAA",
            "dsk_live_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbBBBBBB");
    private static final List<String> OVER = List.of("dsk_live_ccccccccccccccccccccccccccccccccCCCCCC");

    private final String conf = new NginxConfig(18080, 19090, Path.of("/tmp/bench/nginx"), KNOWN, OVER).render();

    @Test
    void everyStatementEndsWithASemicolonAndBlocksBalance() {
        Deque<String> blocks = new ArrayDeque<>();
        for (String raw : conf.lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.endsWith("{")) {
                blocks.push(line);
            } else if (line.equals("}")) {
                assertThat(blocks).as("closing brace without a block").isNotEmpty();
                blocks.pop();
            } else {
                assertThat(line).as("statement").endsWith(";");
                // Quotes pair up within a statement (the JSON bodies use single quotes around double ones).
                assertThat(line.chars().filter(c -> c == '\'').count() % 2).as(line).isZero();
            }
        }
        assertThat(blocks).as("unclosed blocks").isEmpty();
    }

    @Test
    void listensOnTheGivenPortAndProxiesToTheBackendWithKeepAlive() {
        assertThat(conf).contains("listen 127.0.0.1:18080", "server 127.0.0.1:19090;", "keepalive 64;",
                "proxy_pass http://backend;", "proxy_http_version 1.1;", "proxy_set_header Connection \"\";",
                "proxy_buffering off;", "daemon off;", "pid /tmp/bench/nginx/nginx.pid;", "worker_processes 1;");
    }

    @Test
    void mapsEveryKeyToItsClassAndRefusesTheRestWith401() {
        assertThat(conf).contains("map $http_authorization $key_class {", "default \"\";");
        for (String k : KNOWN) {
            assertThat(conf).contains("\"Bearer " + k + "\" known;");
        }
        assertThat(conf).contains("\"Bearer " + OVER.get(0) + "\" over;");
        assertThat(conf).contains("if ($key_class = \"\") {", "return 401 '{\"error\":{", "\"code\":\"invalid_api_key\"");
    }

    @Test
    void limitsEachKeyWithLimitReqAndAnswers429InOpenAisShape() {
        assertThat(conf).contains("limit_req_zone $known_limit_key zone=per_key:16m rate=100000r/s;",
                "limit_req_zone $over_limit_key zone=over_limit:1m rate=1r/m;", "limit_req_status 429;",
                "limit_req zone=per_key burst=100000 nodelay;", "limit_req zone=over_limit;",
                "error_page 429 = @over_limit;", "\"code\":\"rate_limit_exceeded\"");
    }

    @Test
    void refusesAKeyThatCouldBreakOutOfItsQuotes() {
        assertThatThrownBy(() -> new NginxConfig(1, 2, Path.of("/tmp"), List.of("dsk_live_x\" known; #"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nginx key map");
    }
}
