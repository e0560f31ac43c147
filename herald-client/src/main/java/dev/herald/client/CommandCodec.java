package dev.herald.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Command parameters to JSON and reply JSON to results, the same for both transports (README,
 * "Addressing and backend commands"). Thread-safe.
 */
final class CommandCodec {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** How much of a foreign reply an error message quotes. */
    private static final int MAX_QUOTE_CHARS = 200;

    private final ObjectMapper mapper;

    CommandCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    byte[] encode(JsonNode params) {
        try {
            return mapper.writeValueAsBytes(params);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize the parameters: " + e.getOriginalMessage(), e);
        }
    }

    // ---- parameters

    ObjectNode push(Push push) {
        Objects.requireNonNull(push, "push");
        Push.Target target = push.target();
        ObjectNode params = NODES.objectNode();
        if (!target.uids().isEmpty()) {
            params.set("uids", strings(target.uids()));
        }
        if (!target.groups().isEmpty()) {
            params.set("groups", strings(target.groups()));
        }
        if (target.all()) {
            params.put("all", true);
        }
        if (!target.excludedUids().isEmpty() || !target.excludedConnections().isEmpty()) {
            ObjectNode exclude = params.putObject("exclude");
            if (!target.excludedUids().isEmpty()) {
                exclude.set("uids", strings(target.excludedUids()));
            }
            if (!target.excludedConnections().isEmpty()) {
                exclude.set("connections", strings(target.excludedConnections()));
            }
        }
        putData(params, push.data(), push.isRawJson());
        if (push.ttl() != null) {
            params.put("ttl", push.ttl().toSeconds());
        }
        if (push.id() != null) {
            params.put("id", push.id());
        }
        if (push.key() != null) {
            params.put("key", push.key());
        }
        if (push.receipt()) {
            params.put("receipt", true);
        }
        return params;
    }

    ArrayNode batch(List<Push> pushes) {
        ArrayNode batch = NODES.arrayNode(pushes.size());
        for (Push push : pushes) {
            batch.add(push(push));
        }
        return batch;
    }

    ObjectNode broadcast(Object data) {
        ObjectNode params = NODES.objectNode();
        putData(params, data, false);
        return params;
    }

    private void putData(ObjectNode params, Object data, boolean rawJson) {
        Objects.requireNonNull(data, "data");
        if (rawJson) {
            params.putRawValue("data", new RawValue((String) data));
        } else if (data instanceof String text) {
            params.put("data", text);
        } else if (data instanceof JsonNode node) {
            params.set("data", node);
        } else {
            params.set("data", mapper.valueToTree(data));
        }
    }

    ObjectNode uids(Collection<String> uids) {
        ObjectNode params = NODES.objectNode();
        params.set("uids", strings(uids));
        return params;
    }

    ObjectNode page(String group, String after, int limit) {
        ObjectNode params = NODES.objectNode();
        if (group != null) {
            params.put("group", group);
        }
        if (after != null) {
            params.put("after", after);
        }
        if (limit != 0) {
            params.put("limit", limit);
        }
        return params;
    }

    ObjectNode group(String group) {
        ObjectNode params = NODES.objectNode();
        if (group != null) {
            params.put("group", group);
        }
        return params;
    }

    ObjectNode membership(String group, Collection<String> uids) {
        ObjectNode params = group(Objects.requireNonNull(group, "group"));
        params.set("uids", strings(uids));
        return params;
    }

    ObjectNode kick(String field, String value, String reason) {
        ObjectNode params = NODES.objectNode();
        params.put(field, Objects.requireNonNull(value, field));
        if (reason != null) {
            params.put("reason", reason);
        }
        return params;
    }

    static ObjectNode receipt(String id) {
        return NODES.objectNode().put("id", Objects.requireNonNull(id, "id"));
    }

    static ObjectNode empty() {
        return NODES.objectNode();
    }

    private static ArrayNode strings(Collection<String> values) {
        ArrayNode array = NODES.arrayNode(values.size());
        for (String value : values) {
            array.add(Objects.requireNonNull(value, "null in a list"));
        }
        return array;
    }

    // ---- replies

    static PushResult pushResult(JsonNode reply) {
        return new PushResult(
                (int) number(reply, "connections"),
                (int) number(reply, "uids"),
                reply.path("queued").asInt(0),
                reply.path("dropped").asInt(0),
                reply.path("duplicate").asBoolean(false),
                reply.path("receipt").isTextual() ? reply.path("receipt").asText() : null);
    }

    static List<PushResult> pushResults(JsonNode reply) {
        JsonNode results = field(reply, "results");
        if (!results.isArray()) {
            throw badReply("\"results\" is not an array", reply);
        }
        List<PushResult> list = new ArrayList<>(results.size());
        for (JsonNode result : results) {
            list.add(pushResult(result));
        }
        return List.copyOf(list);
    }

    static Map<String, Boolean> online(JsonNode reply) {
        JsonNode online = field(reply, "online");
        if (!online.isObject()) {
            throw badReply("\"online\" is not an object", reply);
        }
        Map<String, Boolean> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : online.properties()) {
            map.put(entry.getKey(), entry.getValue().asBoolean());
        }
        return map;
    }

    static Page page(JsonNode reply, String name) {
        JsonNode items = field(reply, name);
        if (!items.isArray()) {
            throw badReply("\"" + name + "\" is not an array", reply);
        }
        List<String> list = new ArrayList<>(items.size());
        for (JsonNode item : items) {
            list.add(item.asText());
        }
        JsonNode next = reply.get("next");
        return new Page(list, next == null || next.isNull() ? null : next.asText());
    }

    static Counts counts(JsonNode reply) {
        return new Counts(number(reply, "connections"), number(reply, "uids"), number(reply, "groups"));
    }

    static GroupCount groupCount(JsonNode reply) {
        return new GroupCount(field(reply, "group").asText(), number(reply, "members"), number(reply, "online"));
    }

    static int count(JsonNode reply, String name) {
        return (int) number(reply, name);
    }

    private static JsonNode field(JsonNode reply, String name) {
        JsonNode value = reply.get(name);
        if (value == null) {
            throw badReply("no \"" + name + "\"", reply);
        }
        return value;
    }

    private static long number(JsonNode reply, String name) {
        JsonNode value = field(reply, name);
        if (!value.isIntegralNumber()) {
            throw badReply("\"" + name + "\" is not an integer", reply);
        }
        return value.longValue();
    }

    private static HeraldTransportException badReply(String problem, JsonNode reply) {
        return new HeraldTransportException(
                ErrorCode.BAD_REPLY, "unexpected reply (" + problem + "): " + quote(reply.toString()), null);
    }

    /**
     * A Text-port reply line (without its line ending): the reply JSON, or the error it names ({@code
     * {"error":…}}, or {@code error <code> <detail>} for the errors the port reports before parsing a
     * command, such as {@code line_too_long}).
     *
     * @throws HeraldException if the line is an error or not a reply at all
     */
    JsonNode textReply(byte[] line) {
        if (line.length > 0 && line[0] == '{') {
            JsonNode reply = parse(line, 0);
            throwIfError(reply, 0);
            return reply;
        }
        String text = new String(line, StandardCharsets.UTF_8);
        if (text.startsWith("error ")) {
            int space = text.indexOf(' ', 6);
            String code = space < 0 ? text.substring(6) : text.substring(6, space);
            throw new HeraldException(code, text.substring(6), null, 0);
        }
        throw new HeraldTransportException(ErrorCode.BAD_REPLY, "not a Herald reply: " + quote(text), null);
    }

    /**
     * An HTTP reply: the JSON of a 2xx, or the error of any other status. A body that is not Herald's
     * error JSON (a proxy's page) becomes the code of its status, or {@link ErrorCode#BAD_REPLY}.
     */
    JsonNode httpReply(int status, byte[] body) {
        if (status >= 200 && status < 300) {
            JsonNode reply = parse(body, status);
            throwIfError(reply, status);
            return reply;
        }
        JsonNode reply;
        try {
            reply = mapper.readTree(body);
        } catch (IOException e) {
            reply = null;
        }
        if (reply != null && reply.path("error").isObject()) {
            throwIfError(reply, status);
        }
        String quoted = "HTTP " + status + ": " + quote(new String(body, StandardCharsets.UTF_8));
        ErrorCode code = switch (status) {
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            default -> ErrorCode.BAD_REPLY;
        };
        if (code == ErrorCode.BAD_REPLY) {
            throw new HeraldTransportException(code, quoted, status, null);
        }
        throw new HeraldException(code.codeName(), quoted, null, status);
    }

    private JsonNode parse(byte[] json, int status) {
        try {
            JsonNode reply = mapper.readTree(json);
            if (reply != null && reply.isObject()) {
                return reply;
            }
        } catch (IOException e) {
            // not JSON: reported below
        }
        throw new HeraldTransportException(
                ErrorCode.BAD_REPLY,
                "not a Herald reply" + (status > 0 ? " (HTTP " + status + ")" : "") + ": "
                        + quote(new String(json, StandardCharsets.UTF_8)),
                status,
                null);
    }

    private static void throwIfError(JsonNode reply, int status) {
        JsonNode error = reply.get("error");
        if (error == null) {
            return;
        }
        JsonNode field = error.get("field");
        throw new HeraldException(
                error.path("code").asText("unknown"),
                error.path("message").asText(""),
                field == null || field.isNull() ? null : field.asText(),
                status);
    }

    private static String quote(String text) {
        String line = text.strip();
        return line.length() <= MAX_QUOTE_CHARS ? line : line.substring(0, MAX_QUOTE_CHARS) + "…";
    }
}
