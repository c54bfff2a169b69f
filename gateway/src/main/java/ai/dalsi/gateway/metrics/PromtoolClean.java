package ai.dalsi.gateway.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

/**
 * Keeps {@code /metrics} clean for {@code promtool check metrics}, which CI runs on a scrape:
 * every meter gets HELP text (some binders, Netty's among them, register meters without a
 * description), {@code system.cpu.count} is exported as {@code system_cpus} (a gauge named
 * {@code *_count} reads as part of a histogram), and {@code process.cpu.time}, whose Prometheus
 * name ends in the abbreviated unit {@code _ns}, is dropped in favour of {@code process_cpu_usage}.
 */
final class PromtoolClean {

    static final MeterFilter FILTER = new MeterFilter() {
        @Override
        public MeterFilterReply accept(Meter.Id id) {
            return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
        }

        @Override
        public Meter.Id map(Meter.Id id) {
            Meter.Id mapped = id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            if (mapped.getDescription() == null || mapped.getDescription().isBlank()) {
                mapped = new Meter.Id(mapped.getName(), mapped.getTagsAsIterable() == null
                        ? io.micrometer.core.instrument.Tags.empty()
                        : io.micrometer.core.instrument.Tags.of(mapped.getTagsAsIterable()),
                        mapped.getBaseUnit(), mapped.getName().replace('.', ' '), mapped.getType());
            }
            return mapped;
        }
    };

    private PromtoolClean() {
    }
}
