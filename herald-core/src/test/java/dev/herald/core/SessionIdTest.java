package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionIdTest {

    @Test
    void parsesOnlyTheTextItPrints() {
        SessionId id = new SessionId(100);
        assertThat(id.toString()).isEqualTo("2s");
        assertThat(SessionId.parse("2s")).isEqualTo(id);
        for (String other : new String[] {"2S", "02s", "+2s", "", " 2s", "2s!"}) {
            assertThat(SessionId.parse(other)).as(other).isNull();
        }
    }
}
