package mmo.server.account;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Argon2id PHC strings: format, salting, verification and refusal of malformed input. */
class PasswordHasherTest {
    private final PasswordHasher cheap = new PasswordHasher(64, 1, 1);

    @Test
    void hashesVerifyAndAreSalted() {
        String a = cheap.hash("secret password");
        String b = cheap.hash("secret password");
        assertThat(a).startsWith("$argon2id$v=19$m=64,t=1,p=1$").doesNotContain("secret");
        assertThat(a).isNotEqualTo(b);
        assertThat(cheap.verify("secret password", a)).isTrue();
        assertThat(cheap.verify("secret password", b)).isTrue();
        assertThat(cheap.verify("secret passwort", a)).isFalse();
        assertThat(cheap.verify("", a)).isFalse();
    }

    @Test
    void defaultSettingsAreOwaspsAndNonAsciiPasswordsWork() {
        PasswordHasher real = new PasswordHasher();
        String h = real.hash("pässwörd \uD83D\uDE00");
        assertThat(h).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(real.verify("pässwörd \uD83D\uDE00", h)).isTrue();
        assertThat(real.verify("passwörd \uD83D\uDE00", h)).isFalse();
    }

    @Test
    void verificationUsesTheParametersInTheStoredString() {
        String old = new PasswordHasher(32, 3, 2).hash("pw123456");
        assertThat(cheap.verify("pw123456", old)).isTrue();
        assertThat(new PasswordHasher().verify("pw123456", old)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "plain text",
            "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",   // argon2i, not id
            "$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",  // old version
            "$argon2id$v=19$m=64,t=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",      // no p
            "$argon2id$v=19$m=64,t=1,p=1,x=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", // absurd memory
            "$argon2id$v=19$m=64,t=100000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",  // absurd passes
            "$argon2id$v=19$m=64,t=1,p=99$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=64,t=1,p=1$c2Fs$aGFzaGhhc2hoYXNoaGFzaA",               // salt too short
            "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",                        // hash too short
            "$argon2id$v=19$m=64,t=1,p=1$not base64!$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=x,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA$extra"})
    void malformedStoredStringsNeverVerify(String stored) {
        assertThat(cheap.verify("anything", stored)).isFalse();
    }

    @Test
    void absurdSettingsAreRefused() {
        assertThatThrownBy(() -> new PasswordHasher(4, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PasswordHasher(64, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PasswordHasher(64, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PasswordHasher(Integer.MAX_VALUE, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
