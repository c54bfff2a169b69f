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

    /**
     * Every key's totals equal the sums of its rows plus its counted refusals; every rollup equals
     * the sums of its rows plus its refusals. Rows marked {@code sampled_refusal} are examples of
     * counted refusals and add nothing themselves. Without refusals this is: totals and rollups
     * equal the sums of the rows, and {@code last_used_at} is the newest row's time.
     */
    public static void assertTotalsAndRollupsMatchRows(DSLContext dsl) {
        Result<Record> keyMismatches = dsl.fetch("""
                with l as (select api_key_id, count(*) n, sum(tokens_used) t, sum(cost_usd) c, max(created_at) last_at
                           from api_usage_logs where request_metadata->>'sampled_refusal' is null group by api_key_id),
                     r as (select api_key_id, sum(request_count) n from api_usage_refusals group by api_key_id)
                select k.id, k.total_requests, coalesce(l.n, 0) + coalesce(r.n, 0) as n, k.total_tokens_used,
                       coalesce(l.t, 0) as t, k.total_cost_usd, coalesce(l.c, 0) as c, k.last_used_at, l.last_at
                from api_keys k
                left join l on l.api_key_id = k.id
                left join r on r.api_key_id = k.id
                where k.total_requests <> coalesce(l.n, 0) + coalesce(r.n, 0) or k.total_tokens_used <> coalesce(l.t, 0)
                   or k.total_cost_usd <> coalesce(l.c, 0)
                   or (r.n is null and k.last_used_at is distinct from l.last_at)
                   or (r.n is not null and k.last_used_at < l.last_at)
                """);
        assertThat(keyMismatches).as("api_keys totals that differ from the sums of api_usage_logs and refusals")
                .isEmpty();
        Result<Record> rollupMismatches = dsl.fetch("""
                with parts as (
                  select api_key_id, user_id, endpoint, coalesce(request_metadata->>'model', '') as model,
                         date_trunc('hour', created_at, 'UTC') as hour, 1::bigint as n, tokens_used::bigint as t,
                         cost_usd as c, case when status_code >= 400 then 1 else 0 end::bigint as e
                  from api_usage_logs where request_metadata->>'sampled_refusal' is null
                  union all
                  select api_key_id, user_id, endpoint, model, hour, request_count, 0, 0,
                         case when status_code >= 400 then request_count else 0 end
                  from api_usage_refusals),
                sums as (
                  select api_key_id, user_id, endpoint, model, hour, sum(n) as request_count, sum(t) as tokens_used,
                         sum(c) as cost_usd, sum(e) as error_count
                  from parts group by 1, 2, 3, 4, 5)
                select * from sums s
                full join api_usage_hourly h using (api_key_id, endpoint, model, hour)
                where s.request_count is distinct from h.request_count or s.tokens_used is distinct from h.tokens_used
                   or s.cost_usd is distinct from h.cost_usd or s.error_count is distinct from h.error_count
                   or s.user_id is distinct from h.user_id
                """);
        assertThat(rollupMismatches).as("api_usage_hourly rows that differ from the sums of api_usage_logs and refusals")
                .isEmpty();
    }

    /** Refusals counted in {@code api_usage_refusals}, all keys. */
    public static long refusalCount(DSLContext dsl) {
        return dsl.fetchSingle("select coalesce(sum(request_count), 0) from api_usage_refusals").get(0, Long.class);
    }

    /** A snapshot of everything a write can change, to compare before and after a replay. */
    public static List<String> snapshot(DSLContext dsl) {
        return List.of(
                dsl.fetch("select id, status_code, tokens_used, cost_usd, request_metadata::text from api_usage_logs"
                        + " order by id").format(),
                dsl.fetch("select id, total_requests, total_tokens_used, total_cost_usd, last_used_at, last_used_ip,"
                        + " last_used_endpoint from api_keys order by id").format(),
                dsl.fetch("select api_key_id, hour, endpoint, model, request_count, tokens_used, cost_usd, error_count"
                        + " from api_usage_hourly order by 1, 2, 3, 4").format(),
                dsl.fetch("select api_key_id, hour, endpoint, model, status_code, request_count"
                        + " from api_usage_refusals order by 1, 2, 3, 4, 5").format());
    }

    /** How many usage rows are stored. */
    public static long rowCount(DSLContext dsl) {
        return dsl.fetchSingle("select count(*) from api_usage_logs").get(0, Long.class);
    }
}
