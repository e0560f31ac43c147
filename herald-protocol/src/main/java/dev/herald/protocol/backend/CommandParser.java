package dev.herald.protocol.backend;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.herald.core.Kick;
import dev.herald.core.Target;
import dev.herald.protocol.Names;
import dev.herald.protocol.Utf8;
import dev.herald.protocol.backend.BackendCommand.Connections;
import dev.herald.protocol.backend.BackendCommand.Count;
import dev.herald.protocol.backend.BackendCommand.Join;
import dev.herald.protocol.backend.BackendCommand.KickConnections;
import dev.herald.protocol.backend.BackendCommand.Leave;
import dev.herald.protocol.backend.BackendCommand.ListGroups;
import dev.herald.protocol.backend.BackendCommand.ListUids;
import dev.herald.protocol.backend.BackendCommand.Members;
import dev.herald.protocol.backend.BackendCommand.Online;
import dev.herald.protocol.backend.BackendCommand.Push;
import dev.herald.protocol.backend.BackendCommand.PushItem;
import dev.herald.protocol.backend.BackendCommand.Rejected;
import dev.herald.protocol.backend.BackendCommand.Stats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decodes a command's JSON parameters, the part after the verb on the Text port and the body of
 * {@code POST /api/<verb>} over HTTP, into a {@link BackendCommand}. Strict: unknown fields, wrong
 * types and values out of bounds are refused with an {@link ApiError} naming the field.
 *
 * <p>Thread-safe. The limits are read once per command from a supplier, so they may change while the
 * server runs (a configuration reload).
 */
public final class CommandParser {

    /** The command verbs, as they appear on the Text port and in {@code /api/<verb>}. */
    public static final Set<String> VERBS = Set.of(
            "push",
            "broadcast",
            "online",
            "connections",
            "uids",
            "groups",
            "count",
            "members",
            "join",
            "leave",
            "kick",
            "receipt",
            "stats");

    /** Longest kick reason: a close frame's reason text is at most 123 bytes. */
    public static final int MAX_REASON_BYTES = 123;

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final Supplier<CommandLimits> limits;

    public CommandParser(CommandLimits limits) {
        this(() -> limits);
    }

    /** A parser that reads its limits from {@code limits} for each command. */
    public CommandParser(Supplier<CommandLimits> limits) {
        this.limits = limits;
    }

    /** The limits in force now. */
    public CommandLimits limits() {
        return limits.get();
    }

    /**
     * Decodes the parameters of {@code verb} from {@code json[offset, offset+length)}. Empty or blank
     * parameters mean {@code {}}. Bytes that are not valid UTF-8 are refused as {@code invalid_json};
     * pushed data is copied out of them.
     */
    public BackendCommand parse(String verb, byte[] json, int offset, int length) {
        if (!Utf8.isValid(json, offset, length)) {
            return new Rejected(verb, new ApiError(ApiError.INVALID_JSON, "the parameters are not valid UTF-8", null));
        }
        try (JsonParser parser = JSON.createParser(json, offset, length)) {
            Reader reader = new Reader(parser, json, offset);
            parser.nextToken();
            BackendCommand command = switch (verb) {
                case "push" -> reader.push();
                case "broadcast" -> reader.broadcast();
                case "online" -> reader.online();
                case "connections" -> reader.connections();
                case "uids" -> reader.listUids();
                case "groups" -> reader.listGroups();
                case "count" -> reader.count();
                case "members" -> reader.members();
                case "join" -> reader.membership(true);
                case "leave" -> reader.membership(false);
                case "kick" -> reader.kick();
                case "receipt" -> reader.receipt();
                case "stats" -> reader.stats();
                default -> throw new IllegalArgumentException("unknown verb " + verb);
            };
            if (parser.currentToken() != null && parser.nextToken() != null) {
                throw new Refusal(new ApiError(ApiError.INVALID_JSON, "content after the JSON value", null));
            }
            return command;
        } catch (Refusal refusal) {
            return new Rejected(verb, refusal.error);
        } catch (StreamReadException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            return new Rejected(
                    verb,
                    new ApiError(
                            ApiError.INVALID_JSON, e.getOriginalMessage() + (at >= 0 ? " at byte " + at : ""), null));
        } catch (IOException e) {
            return new Rejected(verb, new ApiError(ApiError.INVALID_JSON, String.valueOf(e.getMessage()), null));
        }
    }

    private static final class Refusal extends RuntimeException {
        final ApiError error;

        Refusal(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    private static Refusal invalid(String field, String message) {
        return new Refusal(ApiError.field(ApiError.INVALID_FIELD, field, message));
    }

    private static Refusal missing(String field, String message) {
        return new Refusal(ApiError.field(ApiError.MISSING_FIELD, field, message));
    }

    @FunctionalInterface
    private interface FieldReader {
        /** Reads the value at the current token; returns false if the field is unknown. */
        boolean read(String name, String path) throws IOException;
    }

    /** One pass over one JSON document; the current token is the value being read. */
    private final class Reader {
        private final CommandLimits limits = CommandParser.this.limits.get();
        private final JsonParser parser;
        private final byte[] json;
        private final int offset;

        Reader(JsonParser parser, byte[] json, int offset) {
            this.parser = parser;
            this.json = json;
            this.offset = offset;
        }

        /** Reads an object's fields; {@code path} "" is the whole body, which may also be empty. */
        private void object(String path, FieldReader fields) throws IOException {
            JsonToken token = parser.currentToken();
            if (token == null && path.isEmpty()) {
                return;
            }
            if (token != JsonToken.START_OBJECT) {
                throw new Refusal(
                        path.isEmpty()
                                ? new ApiError(ApiError.INVALID_JSON, "expected a JSON object", null)
                                : ApiError.field(ApiError.INVALID_FIELD, path, "must be an object"));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                String child = path.isEmpty() ? name : path + "." + name;
                if (!fields.read(name, child)) {
                    throw new Refusal(ApiError.field(ApiError.UNKNOWN_FIELD, child, "unknown field"));
                }
            }
        }

        private String string(String path) throws IOException {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                throw invalid(path, "must be a string");
            }
            return parser.getText();
        }

        private boolean bool(String path) throws IOException {
            JsonToken token = parser.currentToken();
            if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
                throw invalid(path, "must be true or false");
            }
            return token == JsonToken.VALUE_TRUE;
        }

        private int limit(String path) throws IOException {
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw invalid(path, "must be an integer");
            }
            long value = parser.getLongValue();
            if (value < 1 || value > limits.maxPage()) {
                throw invalid(path, "must be between 1 and " + limits.maxPage());
            }
            return (int) value;
        }

        private String uid(String path) throws IOException {
            String uid;
            if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                uid = parser.getText(); // as on the seed's line: PHP writes int ids as numbers
            } else {
                uid = string(path);
            }
            String violation = Names.uidViolation(uid, limits.maxUidBytes());
            if (violation != null) {
                throw invalid(path, violation);
            }
            return uid;
        }

        private String group(String path) throws IOException {
            String group = string(path);
            String violation = Names.groupViolation(group, limits.maxGroupBytes());
            if (violation != null) {
                throw invalid(path, violation);
            }
            return group;
        }

        private List<String> list(String path, Item item) throws IOException {
            if (parser.currentToken() != JsonToken.START_ARRAY) {
                throw invalid(path, "must be an array");
            }
            List<String> values = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                values.add(item.read(path + "[" + values.size() + "]"));
            }
            return values;
        }

        /** The pushed data: a string as its text, any other JSON value as its JSON text, byte for byte. */
        private byte[] data(String path) throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_STRING) {
                return parser.getText().getBytes(StandardCharsets.UTF_8);
            }
            if (token == JsonToken.VALUE_NULL) {
                throw invalid(path, "must not be null");
            }
            int start = (int) parser.currentTokenLocation().getByteOffset();
            parser.skipChildren();
            int end = (int) parser.currentLocation().getByteOffset();
            return Arrays.copyOfRange(json, offset + start, offset + end);
        }

        BackendCommand push() throws IOException {
            if (parser.currentToken() == JsonToken.START_ARRAY) {
                List<PushItem> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    if (items.size() == limits.maxBatch()) {
                        throw new Refusal(new ApiError(
                                ApiError.TOO_MANY, "a batch holds at most " + limits.maxBatch() + " pushes", null));
                    }
                    items.add(pushItem("[" + items.size() + "]", false));
                }
                if (items.isEmpty()) {
                    throw invalid("[]", "a batch needs at least one push");
                }
                return new Push(items, true);
            }
            return new Push(List.of(pushItem("", false)), false);
        }

        BackendCommand broadcast() throws IOException {
            return new Push(List.of(pushItem("", true)), false);
        }

        private PushItem pushItem(String prefix, boolean broadcast) throws IOException {
            Set<String> uids = new LinkedHashSet<>();
            Set<String> groups = new LinkedHashSet<>();
            Set<String> exceptUids = new LinkedHashSet<>();
            Set<String> exceptSessions = new LinkedHashSet<>();
            boolean[] all = {broadcast};
            byte[][] data = {null};
            Long[] ttl = {null};
            String[] id = {null};
            String[] key = {null};
            boolean[] receipt = {false};
            String at = prefix.isEmpty() ? "" : prefix + ".";
            if (parser.currentToken() == null) {
                throw missing("data", "the message to push");
            }
            object(prefix, (name, path) -> {
                switch (name) {
                    case "data" -> data[0] = data(path);
                    case "id" -> id[0] = token(path);
                    case "key" -> key[0] = token(path);
                    case "receipt" -> receipt[0] = bool(path);
                    case "exclude" ->
                        object(path, (excluded, excludedPath) -> {
                            switch (excluded) {
                                case "uids" -> exceptUids.addAll(list(excludedPath, this::uid));
                                case "connections" -> exceptSessions.addAll(list(excludedPath, this::string));
                                default -> {
                                    return false;
                                }
                            }
                            return true;
                        });
                    default -> {
                        if (broadcast) {
                            return false;
                        }
                        switch (name) {
                            case "uid" -> uids.add(uid(path));
                            case "uids" -> uids.addAll(list(path, this::uid));
                            case "group" -> groups.add(group(path));
                            case "groups" -> groups.addAll(list(path, this::group));
                            case "all" -> all[0] = bool(path);
                            case "ttl" -> ttl[0] = ttl(path); // for the uids named: broadcast has none
                            default -> {
                                return false;
                            }
                        }
                    }
                }
                return true;
            });
            if (data[0] == null) {
                throw missing(at + "data", "the message to push");
            }
            Target target = new Target(uids, groups, all[0], exceptUids, exceptSessions);
            if (target.isEmpty()) {
                throw missing(at + "uids", "name uids, groups or all");
            }
            return new PushItem(target, data[0], ttl[0], id[0], key[0], receipt[0]);
        }

        /** A ttl in whole seconds, 0 to {@code inbox.max-ttl}. */
        private long ttl(String path) throws IOException {
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw invalid(path, "must be an integer number of seconds");
            }
            long value = parser.getLongValue();
            if (value < 0 || value > limits.maxTtlSeconds()) {
                throw invalid(path, "must be between 0 and " + limits.maxTtlSeconds() + " seconds (inbox.max-ttl)");
            }
            return value;
        }

        /** An id or a key: a string of 1 to 128 UTF-8 bytes. */
        private String token(String path) throws IOException {
            String value = string(path);
            int bytes = value.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < 1 || bytes > CommandLimits.MAX_ID_BYTES) {
                throw invalid(path, "must be 1 to " + CommandLimits.MAX_ID_BYTES + " UTF-8 bytes");
            }
            return value;
        }

        BackendCommand online() throws IOException {
            List<String> uids = new ArrayList<>();
            object("", (name, path) -> {
                switch (name) {
                    case "uid" -> uids.add(uid(path));
                    case "uids" -> uids.addAll(list(path, this::uid));
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            if (uids.isEmpty()) {
                throw missing("uids", "name a uid or uids");
            }
            if (uids.size() > limits.maxPage()) {
                throw invalid("uids", "at most " + limits.maxPage() + " uids");
            }
            return new Online(uids);
        }

        BackendCommand connections() throws IOException {
            String[] uid = {null};
            boolean[] details = {false};
            object("", (name, path) -> {
                switch (name) {
                    case "uid" -> uid[0] = uid(path);
                    case "details" -> details[0] = bool(path);
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            if (uid[0] == null) {
                throw missing("uid", "the uid whose connections to list");
            }
            return new Connections(uid[0], details[0]);
        }

        BackendCommand listUids() throws IOException {
            String[] after = {null};
            int[] limit = {CommandLimits.DEFAULT_PAGE};
            object("", page(after, limit, null));
            return new ListUids(after[0], Math.min(limit[0], limits.maxPage()));
        }

        BackendCommand listGroups() throws IOException {
            String[] after = {null};
            int[] limit = {CommandLimits.DEFAULT_PAGE};
            object("", page(after, limit, null));
            return new ListGroups(after[0], Math.min(limit[0], limits.maxPage()));
        }

        BackendCommand members() throws IOException {
            String[] after = {null};
            int[] limit = {CommandLimits.DEFAULT_PAGE};
            String[] group = {null};
            object("", page(after, limit, group));
            if (group[0] == null) {
                throw missing("group", "the group to list");
            }
            return new Members(group[0], after[0], Math.min(limit[0], limits.maxPage()));
        }

        private FieldReader page(String[] after, int[] limit, String[] group) {
            return (name, path) -> {
                switch (name) {
                    case "after" -> after[0] = string(path);
                    case "limit" -> limit[0] = limit(path);
                    case "group" -> {
                        if (group == null) {
                            return false;
                        }
                        group[0] = group(path);
                    }
                    default -> {
                        return false;
                    }
                }
                return true;
            };
        }

        BackendCommand count() throws IOException {
            String[] group = {null};
            object("", (name, path) -> {
                if (!name.equals("group")) {
                    return false;
                }
                group[0] = group(path);
                return true;
            });
            return new Count(group[0]);
        }

        BackendCommand membership(boolean join) throws IOException {
            String[] group = {null};
            List<String> uids = new ArrayList<>();
            object("", (name, path) -> {
                switch (name) {
                    case "group" -> group[0] = group(path);
                    case "uid" -> uids.add(uid(path));
                    case "uids" -> uids.addAll(list(path, this::uid));
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            if (group[0] == null) {
                throw missing("group", "the group to " + (join ? "join" : "leave"));
            }
            if (uids.isEmpty()) {
                throw missing("uids", "name a uid or uids");
            }
            return join ? new Join(group[0], uids) : new Leave(group[0], uids);
        }

        BackendCommand kick() throws IOException {
            String[] fields = {null, null, null}; // uid, connection, reason
            object("", (name, path) -> {
                switch (name) {
                    case "uid" -> fields[0] = uid(path);
                    case "connection" -> fields[1] = string(path);
                    case "reason" -> {
                        String reason = string(path);
                        if (reason.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
                            throw invalid(path, "at most " + MAX_REASON_BYTES + " UTF-8 bytes");
                        }
                        fields[2] = reason;
                    }
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            if (fields[0] == null && fields[1] == null) {
                throw missing("uid", "name a uid or a connection");
            }
            if (fields[0] != null && fields[1] != null) {
                throw invalid("connection", "name a uid or a connection, not both");
            }
            return new KickConnections(new Kick(fields[0], fields[1], fields[2]));
        }

        BackendCommand receipt() throws IOException {
            String[] id = {null};
            object("", (name, path) -> {
                if (!name.equals("id")) {
                    return false;
                }
                id[0] = token(path);
                return true;
            });
            if (id[0] == null) {
                throw missing("id", "the receipt's id, as a push's reply gave it");
            }
            return new BackendCommand.ReceiptQuery(id[0]);
        }

        BackendCommand stats() throws IOException {
            object("", (name, path) -> false);
            return new Stats();
        }
    }

    @FunctionalInterface
    private interface Item {
        String read(String path) throws IOException;
    }
}
