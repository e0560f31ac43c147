package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MessageTest {

    @Test
    void encodesOncePerEncodingAndSharesTheResult() {
        AtomicInteger calls = new AtomicInteger();
        Encoding<String> upper = new Encoding<>("upper", m -> {
            calls.incrementAndGet();
            return m.text().toUpperCase();
        });
        Encoding<Integer> length = new Encoding<>("length", Message::size);
        Message message = Message.ofText("hi");

        assertThat(message.encoded(upper)).isEqualTo("HI");
        assertThat(message.encoded(upper)).isSameAs(message.encoded(upper));
        assertThat(message.encoded(length)).isEqualTo(2);
        assertThat(calls).hasValue(1);
    }

    @Test
    void keepsUtf8Text() {
        assertThat(Message.ofText("进度 88%").text()).isEqualTo("进度 88%");
        assertThat(Message.ofText("€").size()).isEqualTo(3);
    }

    @Test
    void remembersWhenItWasCreated() {
        long before = System.nanoTime();
        Message message = Message.ofText("hi");
        long after = System.nanoTime();

        assertThat(message.createdAt()).isBetween(before, after);
    }
}
