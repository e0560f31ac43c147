package dev.herald.client;

import java.util.List;

/**
 * One page of a sorted listing ({@code uids}, {@code groups}, {@code members}).
 *
 * @param items the items, in ascending order
 * @param next the cursor of the next page (pass it as {@code after}), or {@code null} on the last page
 */
public record Page(List<String> items, String next) {

    public Page {
        items = List.copyOf(items);
    }

    /** Whether this is the last page. */
    public boolean isLast() {
        return next == null;
    }
}
