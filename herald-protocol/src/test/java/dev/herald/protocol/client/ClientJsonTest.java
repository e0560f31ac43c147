package dev.herald.protocol.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.core.Message;
import dev.herald.core.history.Publication;
import dev.herald.core.history.Recovery;
import dev.herald.core.history.StreamPosition;
import dev.herald.protocol.client.ClientFrame.Ack;
import dev.herald.protocol.client.ClientFrame.Hello;
import dev.herald.protocol.client.ClientFrame.Invalid;
import dev.herald.protocol.client.ClientFrame.Pong;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ClientFrame parse(String json) {
        return ClientJson.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Publication publication(String stream, long offset, String payload) {
        return new Publication(stream, "k3f9", offset, Message.ofText(payload), Set.of(), 0);
    }

    @Test
    void aHelloWithPositionsIsRead() {
        assertThat(parse("{\"t\":\"hello\",\"uid\":\"42\",\"streams\":{\"u:42\":{\"e\":\"x\",\"o\":17},"
                        + "\"g:room\":{\"o\":3,\"e\":\"y\",\"later\":true}},\"token\":null}"))
                .isEqualTo(new Hello(
                        "42", Map.of("u:42", new StreamPosition("x", 17), "g:room", new StreamPosition("y", 3))));
        assertThat(parse("{\"uid\":\"a\",\"t\":\"hello\"}")).isEqualTo(new Hello("a", Map.of()));
    }

    @Test
    void aHelloWithATokenAndARefreshAreRead() {
        assertThat(parse("{\"t\":\"hello\",\"token\":\"eyJ.a.b\"}")).isEqualTo(new Hello(null, "eyJ.a.b", Map.of()));
        assertThat(parse("{\"t\":\"hello\",\"uid\":\"x\",\"token\":\"eyJ.a.b\"}"))
                .isEqualTo(new Hello("x", "eyJ.a.b", Map.of()));
        assertThat(parse("{\"t\":\"hello\",\"token\":7}")).isEqualTo(new Invalid("token must be a string", true));
        assertThat(parse("{\"t\":\"hello\",\"token\":null}"))
                .isEqualTo(new Invalid("hello without uid or token", true));
        assertThat(parse("{\"t\":\"refresh\",\"token\":\"eyJ.c.d\"}")).isEqualTo(new ClientFrame.Refresh("eyJ.c.d"));
        assertThat(parse("{\"t\":\"refresh\"}")).isEqualTo(new Invalid("refresh without token", false));
        assertThat(parse("{\"t\":\"refresh\",\"token\":[]}")).isEqualTo(new Invalid("token must be a string", false));
    }

    @Test
    void theWelcomeNamesTheTokensExpiryAndTheDeniedStreams() throws Exception {
        JsonNode welcome = JSON.readTree(ClientJson.welcome("2s", "a", 25, List.of(), 1_796_206_051L, List.of("u:b")));
        assertThat(welcome.path("exp").asLong()).isEqualTo(1_796_206_051L);
        assertThat(welcome.path("denied").get(0).asText()).isEqualTo("u:b");
        JsonNode plain = JSON.readTree(ClientJson.welcome("2s", "a", 25, List.of()));
        assertThat(plain.has("exp")).isFalse();
        assertThat(plain.has("denied")).isFalse();
        assertThat(new String(ClientJson.refreshed(5), StandardCharsets.UTF_8))
                .isEqualTo("{\"t\":\"refreshed\",\"exp\":5}");
    }

    @Test
    void acksAndPongsAreRead() {
        assertThat(parse("{\"t\":\"ack\",\"streams\":{\"u:42\":18,\"*\":3}}"))
                .isEqualTo(new Ack(Map.of("u:42", 18L, "*", 3L)));
        assertThat(parse("{\"t\":\"pong\"}")).isEqualTo(new Pong());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "not json",
                "[1,2]",
                "\"hello\"",
                "{\"t\":\"hello\"}",
                "{\"t\":\"hello\",\"uid\":42}",
                "{\"t\":1,\"uid\":\"a\"}",
                "{\"uid\":\"a\"}",
                "{\"t\":\"hello\",\"uid\":\"a\"} {}",
                "{\"t\":\"hello\",\"uid\":\"a\",\"streams\":[]}",
                "{\"t\":\"hello\",\"uid\":\"a\",\"streams\":{\"x:1\":{\"e\":\"e\",\"o\":1}}}",
                "{\"t\":\"hello\",\"uid\":\"a\",\"streams\":{\"u:a\":{\"e\":\"e\",\"o\":-1}}}",
                "{\"t\":\"hello\",\"uid\":\"a\",\"streams\":{\"u:a\":{\"e\":5,\"o\":1}}}",
                "{\"t\":\"hello\",\"uid\":\"a\",\"streams\":{\"u:a\":{\"o\":1}}}",
                "{\"t\":\"hello\",\"uid\":\"a\",\"streams\":{\"u:a\":7}}",
                "{\"t\":\"hello\",\"uid\":\"a\",\"streams\":{\"u:a\":\"x\"}}",
                "{\"t\":\"hello\",\"uid\":\"a\"",
            })
    void brokenMessagesAreFatal(String json) {
        assertThat(parse(json))
                .isInstanceOfSatisfying(
                        Invalid.class, invalid -> assertThat(invalid.fatal()).isTrue());
    }

    @Test
    void anUnknownTypeOrABadAckIsNotFatal() {
        assertThat(parse("{\"t\":\"subscribe\"}")).isEqualTo(new Invalid("unknown message type subscribe", false));
        assertThat(parse("{\"t\":\"ack\",\"streams\":{\"u:a\":{\"e\":\"x\",\"o\":1}}}"))
                .isInstanceOfSatisfying(
                        Invalid.class, invalid -> assertThat(invalid.fatal()).isFalse());
    }

    @Test
    void aHelloNamesAtMostAThousandStreams() {
        StringBuilder json = new StringBuilder("{\"t\":\"hello\",\"uid\":\"a\",\"streams\":{");
        for (int i = 0; i <= ClientJson.MAX_HELLO_STREAMS; i++) {
            json.append(i == 0 ? "" : ",").append("\"g:").append(i).append("\":{\"e\":\"e\",\"o\":1}");
        }
        assertThat(parse(json.append("}}").toString())).isEqualTo(new Invalid("more than 1000 streams", true));
    }

    @Test
    void aMessageCarriesItsPositionAndThePayloadAsTheSameText() throws Exception {
        String payload = "{\"uid\":\"42\",\"text\":\"a \\\"quote\\\", a tab\\t\"}\n\u0001\u001f é 🎉 \\";
        JsonNode msg = JSON.readTree(ClientJson.message(publication("g:q\"uote", 18, payload), 17));

        assertThat(msg.path("t").asText()).isEqualTo("msg");
        assertThat(msg.path("s").asText()).isEqualTo("g:q\"uote");
        assertThat(msg.path("e").asText()).isEqualTo("k3f9");
        assertThat(msg.path("o").asLong()).isEqualTo(18);
        assertThat(msg.path("p").asLong()).isEqualTo(17);
        assertThat(msg.path("d").asText()).isEqualTo(payload);
    }

    @Test
    void everyPayloadComesBackExactly() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 2000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                int pick = random.nextInt(10);
                text.appendCodePoint(
                        pick < 3
                                ? random.nextInt(0x20)
                                : pick < 6
                                        ? 0x20 + random.nextInt(0x60)
                                        : pick < 8 ? 0xA0 + random.nextInt(0x700) : 0x1F600 + random.nextInt(64));
            }
            String payload = text.toString();
            JsonNode msg = JSON.readTree(ClientJson.message(publication("u:a", 1, payload), 0));
            assertThat(msg.path("d").asText()).as("round %d", round).isEqualTo(payload);
        }
    }

    @Test
    void theSharedFormIsKeptForThePreviousOffsetOnlyAndRemembersWhenThePushCame() {
        Publication publication = publication("u:a", 5, "x");

        Message shared = ClientJson.messageOf(publication, 4);
        assertThat(ClientJson.messageOf(publication, 4)).isSameAs(shared);
        assertThat(ClientJson.messageOf(publication, 2)).isNotSameAs(shared);
        assertThat(shared.createdAt()).isEqualTo(publication.message().createdAt());
        assertThat(ClientJson.messageOf(publication, 2).text()).contains("\"p\":2");
    }

    @Test
    void aWelcomeNamesEveryAnswer() throws Exception {
        Recovery gap =
                new Recovery("u:a", Recovery.Kind.GAP, "k3f9", 12, 4, List.of(new Recovery.Range(5, 9)), List.of());
        Recovery fresh = new Recovery("g:x", Recovery.Kind.NEW, null, 0, 0, List.of(), List.of());
        JsonNode welcome = JSON.readTree(ClientJson.welcome("2s", "a", 25, List.of(gap, fresh)));

        assertThat(welcome.toString())
                .isEqualTo("{\"t\":\"welcome\",\"conn\":\"2s\",\"uid\":\"a\",\"ping\":25,\"streams\":{"
                        + "\"u:a\":{\"r\":\"gap\",\"e\":\"k3f9\",\"o\":4,\"top\":12,\"missed\":[[5,9]]},"
                        + "\"g:x\":{\"r\":\"new\",\"e\":null,\"o\":0,\"top\":0}}}");
    }
}
