package dev.herald.netty.backend;

import dev.herald.protocol.backend.ApiError;
import dev.herald.protocol.backend.CommandReplies;

/**
 * A command's reply on either adapter: the HTTP status and the JSON body (on the Text port, the body
 * and a newline).
 */
public record CommandReply(int status, byte[] json) {

    public static CommandReply ok(byte[] json) {
        return new CommandReply(200, json);
    }

    public static CommandReply error(ApiError error) {
        return new CommandReply(error.httpStatus(), CommandReplies.error(error));
    }

    public boolean isOk() {
        return status == 200;
    }
}
