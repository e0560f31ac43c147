package dev.herald.netty.websocket;

import dev.herald.core.Hub;
import dev.herald.core.Pusher;
import dev.herald.core.auth.Authenticator;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What every client connection of one WebSocket listener shares: one instance per listener, so that a
 * connection holds a single reference to it instead of one per service.
 *
 * @param hub where connections register and bind
 * @param pusher runs the clients' own {@code join}/{@code leave} requests (so an engine shares them)
 * @param maxGroupBytes longest group name a client may join ({@code api.max-group-bytes}), read per request
 * @param stats the listener's counters
 * @param sweepers the keepalive sweeper and outbox of each event loop
 * @param auth verifies connect tokens; the one in force (keys change on reload)
 * @param admission which handshakes are taken; told when an admitted connection binds and closes
 */
record ClientServices(
        Hub hub,
        Pusher pusher,
        IntSupplier maxGroupBytes,
        WebSocketStats stats,
        SessionSweepers sweepers,
        Supplier<Authenticator> auth,
        Admission admission) {}
