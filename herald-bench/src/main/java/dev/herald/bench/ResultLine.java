package dev.herald.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** One result as one line of JSON, and back. */
final class ResultLine {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultLine() {}

    /** The result as a single line of JSON (no newline inside). */
    static String toJson(Map<String, Object> result) {
        try {
            return JSON.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("result is not serialisable: " + e.getMessage(), e);
        }
    }

    /** Parses one result line. */
    static Map<String, Object> parse(String line) {
        try {
            return JSON.readValue(line, new TypeReference<Map<String, Object>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a result line: " + e.getOriginalMessage(), e);
        }
    }
}
