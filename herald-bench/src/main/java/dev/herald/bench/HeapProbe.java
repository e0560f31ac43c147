package dev.herald.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads a server's used heap from a Prometheus endpoint (Herald's {@code /metrics}): the sum of the
 * {@code jvm_memory_used_bytes} samples with {@code area="heap"}. -1 when there is no URL or no answer.
 */
final class HeapProbe {

    private final URI metrics;
    private final HttpClient http;

    HeapProbe(URI metrics) {
        this.metrics = metrics;
        this.http = metrics == null
                ? null
                : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    boolean enabled() {
        return metrics != null;
    }

    long heapUsedBytes() {
        if (metrics == null) {
            return -1;
        }
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(metrics)
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? heapUsed(response.body()) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The heap sum from a Prometheus text exposition, or -1 if it has no heap samples. */
    static long heapUsed(String exposition) {
        double sum = 0;
        boolean found = false;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? (long) sum : -1;
    }
}
