package ai.dalsi.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Result;

/** Checks that the ledger agrees with itself: key totals and rollups equal SQL sums of the rows. */
public final class LedgerAssertions {

    private LedgerAssertions() {
    }

    /** The ids of every stored usage row. */
    public static Set<UUID> storedIds(DSLContext dsl) {
        return dsl.fetch("select id from api_usage_logs").stream().map(r -> r.get(0, UUID.class))
                .collect(Collectors.toSet());
    }

    /** Every key's totals equal the sums of its rows; every rollup equals the sums of its rows. */
    public static void assertTotalsAndRollupsMatchRows(DSLContext dsl) {
        Result<Record> keyMismatches = dsl.fetch("""
                select k.id, k.total_requests, coalesce(l.n, 0) as n, k.total_tokens_used, coalesce(l.t, 0) as t,
                       k.total_cost_usd, coalesce(l.c, 0) as c, k.last_used_at, l.last_at
                from api_keys k
                left join (select api_key_id, count(*) n, sum(tokens_used) t, sum(cost_usd) c, max(created_at) last_at
                           from api_usage_logs group by api_key_id) l on l.api_key_id = k.id
                where k.total_requests <> coalesce(l.n, 0) or k.total_tokens_used <> coalesce(l.t, 0)
                   or k.total_cost_usd <> coalesce(l.c, 0) or k.last_used_at is distinct from l.last_at
                """);
        assertThat(keyMismatches).as("api_keys totals that differ from the sums of api_usage_logs").isEmpty();
        Result<Record> rollupMismatches = dsl.fetch("""
                with sums as (
                  select api_key_id, user_id, endpoint, coalesce(request_metadata->>'model', '') as model,
                         date_trunc('hour', created_at, 'UTC') as hour, count(*) as request_count,
                         sum(tokens_used) as tokens_used, sum(cost_usd) as cost_usd,
                         count(*) filter (where status_code >= 400) as error_count
                  from api_usage_logs group by 1, 2, 3, 4, 5)
                select * from sums s
                full join api_usage_hourly h using (api_key_id, endpoint, model, hour)
                where s.request_count is distinct from h.request_count or s.tokens_used is distinct from h.tokens_used
                   or s.cost_usd is distinct from h.cost_usd or s.error_count is distinct from h.error_count
                   or s.user_id is distinct from h.user_id
                """);
        assertThat(rollupMismatches).as("api_usage_hourly rows that differ from the sums of api_usage_logs").isEmpty();
    }

    /** A snapshot of everything a write can change, to compare before and after a replay. */
    public static List<String> snapshot(DSLContext dsl) {
        return List.of(
                dsl.fetch("select id, status_code, tokens_used, cost_usd, request_metadata::text from api_usage_logs"
                        + " order by id").format(),
                dsl.fetch("select id, total_requests, total_tokens_used, total_cost_usd, last_used_at, last_used_ip,"
                        + " last_used_endpoint from api_keys order by id").format(),
                dsl.fetch("select api_key_id, hour, endpoint, model, request_count, tokens_used, cost_usd, error_count"
                        + " from api_usage_hourly order by 1, 2, 3, 4").format());
    }

    /** How many usage rows are stored. */
    public static long rowCount(DSLContext dsl) {
        return dsl.fetchSingle("select count(*) from api_usage_logs").get(0, Long.class);
    }
}
