package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * One scrape of {@code GET /metrics}, parsed from the Prometheus text format (version 0.0.4): every sample
 * by its series ({@code name{label="value",…}}, labels sorted by name), and every family's type.
 */
record Scrape(Map<String, Double> samples, Map<String, String> types) {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Scrapes a server's {@code /metrics}, without credentials: the endpoint is open. */
    static Scrape of(HeraldServer server) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + server.httpAddress().getPort() + "/metrics"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET /metrics").isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            return parse(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Parses an exposition; fails on any line that is neither a comment nor a well-formed sample. */
    static Scrape parse(String text) {
        Map<String, Double> samples = new TreeMap<>();
        Map<String, String> types = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                types.put(parts[0], parts[1]);
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            new SampleParser(line).parseInto(samples);
        }
        return new Scrape(samples, types);
    }

    /** The series key of {@code name} with label pairs ({@code "adapter", "text", …}), labels sorted. */
    static String series(String name, String... labels) {
        Map<String, String> sorted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            sorted.put(labels[i], labels[i + 1]);
        }
        if (sorted.isEmpty()) {
            return name;
        }
        StringBuilder key = new StringBuilder(name).append('{');
        sorted.forEach(
                (label, value) -> key.append(label).append("=\"").append(value).append("\","));
        key.setLength(key.length() - 1);
        return key.append('}').toString();
    }

    /** The value of a series, which must be present. */
    double value(String name, String... labels) {
        String series = series(name, labels);
        assertThat(samples).as("series %s in /metrics", series).containsKey(series);
        return samples.get(series);
    }

    /** How much a series grew since {@code before}. */
    double since(Scrape before, String name, String... labels) {
        return value(name, labels) - before.value(name, labels);
    }

    /** One sample line: {@code name{label="value",…} value [timestamp]}. */
    private static final class SampleParser {
        private final String line;
        private int at;

        SampleParser(String line) {
            this.line = line;
        }

        void parseInto(Map<String, Double> samples) {
            int nameEnd = at;
            while (nameEnd < line.length() && line.charAt(nameEnd) != '{' && line.charAt(nameEnd) != ' ') {
                nameEnd++;
            }
            String name = line.substring(0, nameEnd);
            assertThat(name).as("metric name in: %s", line).matches("[a-zA-Z_:][a-zA-Z0-9_:]*");
            at = nameEnd;
            Map<String, String> labels = new TreeMap<>();
            if (at < line.length() && line.charAt(at) == '{') {
                at++;
                while (line.charAt(at) != '}') {
                    int eq = line.indexOf('=', at);
                    String label = line.substring(at, eq);
                    at = eq + 1;
                    labels.put(label, quoted());
                    if (line.charAt(at) == ',') {
                        at++;
                    }
                }
                at++;
            }
            String[] rest = line.substring(at).trim().split(" ");
            double value = switch (rest[0]) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(rest[0]);
            };
            String[] pairs = new String[labels.size() * 2];
            int i = 0;
            for (Map.Entry<String, String> label : labels.entrySet()) {
                pairs[i++] = label.getKey();
                pairs[i++] = label.getValue();
            }
            String series = series(name, pairs);
            assertThat(samples).as("series %s appears once", series).doesNotContainKey(series);
            samples.put(series, value);
        }

        /** A quoted label value with the format's escapes (backslash, quote, newline). */
        private String quoted() {
            assertThat(line.charAt(at)).as("label value in: %s", line).isEqualTo('"');
            at++;
            StringBuilder value = new StringBuilder();
            while (line.charAt(at) != '"') {
                char c = line.charAt(at++);
                if (c == '\\') {
                    char escaped = line.charAt(at++);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    value.append(c);
                }
            }
            at++;
            return value.toString();
        }
    }
}
