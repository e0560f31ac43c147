package dev.herald.bench;

import java.util.List;
import java.util.Map;

/** Reads the parts of a scenario's JSON line (parsed into maps) that the integration tests check. */
final class ResultJson {

    private ResultJson() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> sub(Map<String, Object> map, String key) {
        return (Map<String, Object>) map.get(key);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> steps(Map<String, Object> results) {
        return (List<Map<String, Object>>) results.get("steps");
    }
}
