package dev.herald.netty.websocket;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which pages may open a WebSocket to Herald ({@code websocket.allowed-origins}): exact origins
 * ({@code https://app.example.com}, {@code http://localhost:8080}) and subdomain patterns ({@code
 * *.example.com}: any scheme and port; {@code https://*.example.com}: that scheme, any port), compared
 * without regard to case. Empty (or {@code *}) allows every origin.
 *
 * <p>A request without an {@code Origin} header is allowed: browsers always send one, so the check
 * keeps other sites' pages out, while apps and servers, which send none, are kept out by tokens. The
 * origin {@code null} (sandboxed frames, {@code file:} pages) is allowed only if listed as {@code null}.
 * Immutable.
 */
public final class AllowedOrigins {

    /** Every origin. */
    public static final AllowedOrigins ANY = new AllowedOrigins(List.of(), List.of(), true);

    /** {@code scheme://host[:port]}, or a pattern with {@code *.} before the host and an optional scheme. */
    private static final Pattern ORIGIN = Pattern.compile("[a-z][a-z0-9+.-]*://[^/?#*\\s]+");

    private static final Pattern WILDCARD = Pattern.compile("(?:([a-z][a-z0-9+.-]*)://)?\\*\\.([^/?#*:\\s]+)");

    private record Wildcard(String scheme, String suffix) {}

    private final List<String> exact;
    private final List<Wildcard> wildcards;
    private final boolean any;

    private AllowedOrigins(List<String> exact, List<Wildcard> wildcards, boolean any) {
        this.exact = List.copyOf(exact);
        this.wildcards = List.copyOf(wildcards);
        this.any = any;
    }

    /**
     * The rules of a list of entries.
     *
     * @throws IllegalArgumentException naming the entry that is neither an origin nor a pattern
     */
    public static AllowedOrigins of(List<String> entries) {
        List<String> exact = new ArrayList<>();
        List<Wildcard> wildcards = new ArrayList<>();
        for (String entry : entries) {
            String e = entry.trim().toLowerCase(Locale.ROOT);
            if (e.equals("*")) {
                return ANY;
            }
            var wildcard = WILDCARD.matcher(e);
            if (wildcard.matches()) {
                wildcards.add(new Wildcard(wildcard.group(1), "." + wildcard.group(2)));
            } else if (e.equals("null") || ORIGIN.matcher(e).matches()) {
                exact.add(e);
            } else {
                throw new IllegalArgumentException(
                        "allowed-origins: '" + entry
                                + "' is not an origin (scheme://host[:port]) or a pattern (*.example.com, https://*.example.com)");
            }
        }
        return exact.isEmpty() && wildcards.isEmpty() ? ANY : new AllowedOrigins(exact, wildcards, false);
    }

    /** Whether every origin is allowed. */
    public boolean allowsAny() {
        return any;
    }

    /** Whether a handshake with this {@code Origin} header (or {@code null}: none) may proceed. */
    public boolean allows(String origin) {
        if (any || origin == null) {
            return true;
        }
        String o = origin.trim().toLowerCase(Locale.ROOT);
        if (exact.contains(o)) {
            return true;
        }
        int schemeEnd = o.indexOf("://");
        if (schemeEnd <= 0) {
            return false;
        }
        String scheme = o.substring(0, schemeEnd);
        String host = o.substring(schemeEnd + 3);
        int port = host.lastIndexOf(':');
        if (port >= 0 && host.indexOf(']') < port) { // not a colon inside an IPv6 literal
            host = host.substring(0, port);
        }
        for (Wildcard wildcard : wildcards) {
            if ((wildcard.scheme() == null || wildcard.scheme().equals(scheme))
                    && host.endsWith(wildcard.suffix())
                    && host.length() > wildcard.suffix().length()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        if (any) {
            return "any origin";
        }
        List<String> all = new ArrayList<>(exact);
        wildcards.forEach(w -> all.add((w.scheme() == null ? "" : w.scheme() + "://") + "*" + w.suffix()));
        return String.join(", ", all);
    }
}
