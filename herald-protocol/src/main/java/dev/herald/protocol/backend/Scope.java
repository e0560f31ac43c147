package dev.herald.protocol.backend;

import dev.herald.protocol.backend.BackendCommand.KickConnections;
import dev.herald.protocol.backend.BackendCommand.Rejected;
import dev.herald.protocol.backend.BackendCommand.Stats;

/**
 * What a backend key may do. {@code push}: pushes and queries (seed lines, {@code push},
 * {@code broadcast}, {@code online}, {@code connections}, {@code uids}, {@code groups}, {@code count},
 * {@code members}, {@code receipt}, {@code join}, {@code leave}); {@code admin}: {@code kick},
 * {@code stats}, {@code GET /stats} and {@code POST /admin/reload}.
 */
public enum Scope {
    PUSH("push"),
    ADMIN("admin");

    private final String word;

    Scope(String word) {
        this.word = word;
    }

    /** The scope's name in a key ({@code KEY:push}) and in {@code x-herald-scope}. */
    public String word() {
        return word;
    }

    /** The scope of a command verb ({@link CommandParser#VERBS}). */
    public static Scope ofVerb(String verb) {
        return verb.equals("kick") || verb.equals("stats") ? ADMIN : PUSH;
    }

    /** The scope a decoded command needs; seed lines and unknown input are {@code push}. */
    public static Scope of(BackendCommand command) {
        if (command instanceof KickConnections || command instanceof Stats) {
            return ADMIN;
        }
        if (command instanceof Rejected rejected) {
            return ofVerb(rejected.verb());
        }
        return PUSH;
    }
}
