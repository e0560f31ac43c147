package dev.herald.core;

import java.util.List;

/**
 * One page of a sorted listing.
 *
 * @param items the items, in ascending order
 * @param next the cursor for the next page (pass it as {@code after}), or {@code null} at the end
 */
public record Page(List<String> items, String next) {

    public Page {
        items = List.copyOf(items);
    }
}
