package ai.dalsi.gateway.net;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of addresses and CIDR ranges, IPv4 and IPv6 ({@code 10.0.0.0/8}, {@code 2001:db8::/32},
 * {@code 192.0.2.7}), matched with Netty's {@link IpSubnetFilterRule}. Parsing never resolves a
 * host name.
 */
public final class IpRanges {

    /** No ranges: {@link #contains} is false for every address. */
    public static final IpRanges NONE = new IpRanges(List.of(), List.of());

    private final IpSubnetFilterRule[] rules;
    private final List<String> entries;

    private IpRanges(List<IpSubnetFilterRule> rules, List<String> entries) {
        this.rules = rules.toArray(IpSubnetFilterRule[]::new);
        this.entries = List.copyOf(entries);
    }

    /**
     * Parses configured ranges.
     *
     * @throws IllegalArgumentException naming the setting and the bad entry
     */
    public static IpRanges parse(List<String> values, String setting) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        List<String> ok = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            IpSubnetFilterRule rule = rule(v);
            if (rule == null) {
                throw new IllegalArgumentException(setting + "[" + i + "]: " + v
                        + " (expected: an IPv4/IPv6 address or CIDR range such as 10.0.0.0/8)");
            }
            rules.add(rule);
            ok.add(v.trim());
        }
        return new IpRanges(rules, ok);
    }

    /**
     * Parses stored ranges, skipping entries that are not addresses or ranges (they can only
     * narrow, never widen, what matches); {@code invalid} receives each skipped entry.
     */
    public static IpRanges parseLenient(List<String> values, java.util.function.Consumer<String> invalid) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        List<String> ok = new ArrayList<>();
        for (String v : values) {
            IpSubnetFilterRule rule = rule(v);
            if (rule == null) {
                invalid.accept(v);
            } else {
                rules.add(rule);
                ok.add(v.trim());
            }
        }
        return new IpRanges(rules, ok);
    }

    private static IpSubnetFilterRule rule(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        int slash = v.indexOf('/');
        String address = slash < 0 ? v : v.substring(0, slash);
        InetAddress inet = parseAddress(address);
        if (inet == null) {
            return null;
        }
        int max = inet instanceof Inet4Address ? 32 : 128;
        int prefix = max;
        if (slash >= 0) {
            String p = v.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3) {
                return null;
            }
            prefix = 0;
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
                prefix = prefix * 10 + (c - '0');
            }
            if (prefix > max) {
                return null;
            }
        }
        return new IpSubnetFilterRule(inet, prefix, IpFilterRuleType.ACCEPT);
    }

    /** An IP address literal (IPv6 optionally in brackets) as an address, or null; never a DNS lookup. */
    public static InetAddress parseAddress(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String t = text;
        if (t.length() > 2 && t.charAt(0) == '[' && t.charAt(t.length() - 1) == ']') {
            t = t.substring(1, t.length() - 1);
        }
        return NetUtil.createInetAddressFromIpAddressString(t);
    }

    /** Whether the address falls in one of the ranges. */
    public boolean contains(InetSocketAddress address) {
        for (IpSubnetFilterRule rule : rules) {
            if (rule.matches(address)) {
                return true;
            }
        }
        return false;
    }

    /** Whether there are no ranges at all. */
    public boolean isEmpty() {
        return rules.length == 0;
    }

    /** The entries that parsed, as given. */
    public List<String> entries() {
        return entries;
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
