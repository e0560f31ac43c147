package dev.herald.core;

import dev.herald.core.auth.Identity;

/**
 * What a connection query tells about one connection.
 *
 * @param id the connection's id ({@link SessionId#toString()})
 * @param transport how it is connected ({@link Session#transport()})
 * @param remote the client's address, or {@code null}
 * @param identity what its connect token said, or {@code null}: it bound with a bare uid
 */
public record ConnectionInfo(String id, String transport, String remote, Identity identity) {}
