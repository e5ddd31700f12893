package mmo.server.game;

import mmo.protocol.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** What {@link Chat#clean} keeps, removes and refuses: one row per kind of character. */
class ChatCleanTest {

    static Stream<org.junit.jupiter.params.provider.Arguments> cases() {
        return Stream.of(
                arguments("plain text", "hello there", "hello there"),
                arguments("ends stripped", "  hi  ", "hi"),
                arguments("BEL (C0)", "bell\u0007", "bell"),
                arguments("NUL and ESC (C0)", "a\u0000b\u001B[31mc", "ab[31mc"),
                arguments("DEL", "a\u007Fb", "ab"),
                arguments("C1 control (CSI)", "a\u009Bb", "ab"),
                arguments("tab and newlines become spaces", "a\tb\nc\r\nd", "a b c  d"),
                arguments("NEL becomes a space", "a\u0085b", "a b"),
                arguments("line / paragraph separators", "a\u2028b\u2029c", "a b c"),
                arguments("no-break and ideographic spaces", "a\u00A0b\u3000c", "a b c"),
                arguments("zero-width space", "hid\u200Bden", "hidden"),
                arguments("ZWNJ, ZWJ", "a\u200Cb\u200Dc", "abc"),
                arguments("LRM, RLM", "a\u200Eb\u200Fc", "abc"),
                arguments("bidi embedding and override (Trojan Source)", "\u202Eevil\u202C ok \u202A\u202B\u202D", "evil ok"),
                arguments("bidi isolates", "\u2066a\u2067b\u2068c\u2069", "abc"),
                arguments("word joiner, invisible operators", "a\u2060b\u2062c\u2064d", "abcd"),
                arguments("byte order mark", "\uFEFFhi", "hi"),
                arguments("soft hyphen", "ad\u00ADmin", "admin"),
                arguments("Arabic letter mark, Mongolian vowel separator", "a\u061Cb\u180Ec", "abc"),
                arguments("tag characters", "flag\uDB40\uDC01\uDB40\uDC41\uDB40\uDC7F", "flag"),
                arguments("private use", "a\uE000b\uDB80\uDC00c", "abc"),
                arguments("unassigned", "a\u0378b", "ab"),
                arguments("lone surrogates", "a\uD800b\uDC00c", "abc"),
                arguments("Hangul fillers", "a\u3164b\u115Fc\u1160d\uFFA0e", "abcde"),
                arguments("braille blank", "a\u2800b", "ab"),
                arguments("combining grapheme joiner", "a\u034Fb", "ab"),
                arguments("one variation selector after a character stays", "\u2764\uFE0F", "\u2764\uFE0F"),
                arguments("a run of variation selectors (hidden bytes) keeps one",
                        "\uD83D\uDE00\uFE0F\uDB40\uDD00\uDB40\uDD01\uFE01", "\uD83D\uDE00\uFE0F"),
                arguments("a variation selector with nothing before it", "\uFE0Fhi", "hi"),
                arguments("accents stay", "caf\u00E9 cafe\u0301 \u00FCber", "caf\u00E9 cafe\u0301 \u00FCber"),
                arguments("Zalgo: at most four marks on a character",
                        "a\u0300\u0301\u0302\u0303\u0304\u0305b", "a\u0300\u0301\u0302\u0303b"),
                arguments("a mark with nothing to sit on", "\u0301x", "x"),
                arguments("other scripts and emoji stay", "\u041F\u0440\u0438\u0432\u0435\u0442 \u4F60\u597D \uD83D\uDC4B",
                        "\u041F\u0440\u0438\u0432\u0435\u0442 \u4F60\u597D \uD83D\uDC4B"),
                arguments("RTL text itself stays", "\u05E9\u05DC\u05D5\u05DD", "\u05E9\u05DC\u05D5\u05DD"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cleans(String what, String raw, String expected) {
        assertThat(Chat.clean(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\t\n", "\u3000\u2003"})
    void emptyIsRefused(String raw) {
        assertThatThrownBy(() -> Chat.clean(raw)).isInstanceOfSatisfying(GameException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CHAT_REJECTED);
            assertThat(e.getMessage()).isEqualTo("Message is empty");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u00A0", "\u200B", "\u200B\u200D\uFEFF", "\u0007\u202E", "\u3164\u2800", " \u2060 ", "\uDB40\uDC41\uDB40\uDC42"})
    void emptyOnceCleanedIsRefusedSayingWhy(String raw) {
        assertThatThrownBy(() -> Chat.clean(raw)).isInstanceOfSatisfying(GameException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CHAT_REJECTED);
            assertThat(e.getMessage()).contains("empty once control and invisible characters are removed");
        });
    }

    @Test
    void theLengthLimitCountsWhatIsShown() {
        assertThat(Chat.clean("x".repeat(Chat.MAX_LENGTH))).hasSize(Chat.MAX_LENGTH);
        // invisible padding does not count, and is gone
        assertThat(Chat.clean("x".repeat(Chat.MAX_LENGTH) + "\u200B".repeat(1000))).hasSize(Chat.MAX_LENGTH);
        // emoji are one character each, though two chars in Java
        assertThat(Chat.clean("\uD83D\uDE00".repeat(Chat.MAX_LENGTH))).hasSize(2 * Chat.MAX_LENGTH);
        assertThatThrownBy(() -> Chat.clean("x".repeat(Chat.MAX_LENGTH + 1)))
                .isInstanceOfSatisfying(GameException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHAT_REJECTED);
                    assertThat(e.getMessage()).contains("longer than 256");
                });
    }

    @Test
    void untilIsReadableUtcOrForGood() {
        assertThat(Chat.until(java.time.Instant.parse("2030-01-02T03:04:59Z").toEpochMilli()))
                .isEqualTo("until 2030-01-02 03:04 UTC");
        assertThat(Chat.until(Long.MAX_VALUE)).isEqualTo("for good");
    }
}
