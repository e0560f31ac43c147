package dev.herald.protocol.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BindRequestTest {

    @Test
    void acceptsAnyNonEmptyUidWithinTheLimit() {
        assertThat(BindRequest.violation("uid1", 128)).isNull();
        assertThat(BindRequest.violation(" spaced ", 128)).isNull();
        assertThat(BindRequest.violation("x".repeat(128), 128)).isNull();
        assertThat(BindRequest.violation("用".repeat(42), 128)).as("126 bytes").isNull();
    }

    @Test
    void refusesEmptyAndOverlongUids() {
        assertThat(BindRequest.violation("", 128)).isEqualTo("empty uid");
        assertThat(BindRequest.violation("x".repeat(129), 128)).isEqualTo("uid longer than 128 bytes");
        assertThat(BindRequest.violation("用".repeat(43), 128)).as("129 bytes").isNotNull();
    }
}
