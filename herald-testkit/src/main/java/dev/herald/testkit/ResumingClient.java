package dev.herald.testkit;

import dev.herald.testkit.HeraldV1Client.Msg;
import dev.herald.testkit.HeraldV1Client.Position;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code herald.v1} client that keeps coming back, as herald.js does, for chaos tests: it connects,
 * says hello with the positions it holds, takes messages (each checked against the chain of previous
 * offsets), acks every 25, and when its connection closes or goes silent (no message or ping for {@code
 * deadAfter}) it gives the connection up and connects again, until it holds {@code expected} messages or
 * {@code giveUpAfter} has passed.
 */
public final class ResumingClient {

    private ResumingClient() {}

    /**
     * Runs one client's life on the calling thread.
     *
     * @param received where the data of each message goes, in arrival order
     * @param connections counts the connections each uid made (for the test's messages)
     */
    public static void run(
            URI uri,
            String uid,
            int expected,
            List<String> received,
            Map<String, Integer> connections,
            Duration deadAfter,
            Duration giveUpAfter) {
        Map<String, Position> held = Map.of();
        long giveUp = System.nanoTime() + giveUpAfter.toNanos();
        while (received.size() < expected && System.nanoTime() < giveUp) {
            HeraldV1Client client;
            try {
                client = HeraldV1Client.connect(uri, held, Duration.ofSeconds(2)); // a silenced handshake: retry soon
                client.hello(uid);
            } catch (RuntimeException | AssertionError e) {
                pause(); // broken before the welcome, or no server: come back
                continue;
            }
            connections.merge(uid, 1, Integer::sum);
            try {
                while (received.size() < expected) {
                    Msg msg = client.pollMsg(deadAfter);
                    if (msg == null) {
                        break; // silent or closed: give it up and come back
                    }
                    received.add(msg.data());
                    if (received.size() % 25 == 0) {
                        client.ack(msg.stream(), msg.offset());
                    }
                }
            } catch (RuntimeException e) {
                // the connection broke under a send (an ack): come back
            } finally {
                held = client.positions();
                client.close();
            }
        }
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
