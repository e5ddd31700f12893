package mmo.server.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Field values a hostile or broken client might send: extremes, NaN, long and odd strings. */
public final class FuzzValues {
    private FuzzValues() {
    }

    /** Any int, often a small one (a bag slot, an entity nearby), often an extreme. */
    public static Arbitrary<Integer> ints() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(-2, 64),
                Arbitraries.of(0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 24, 25, 255, 256, 65_535, 1 << 24),
                Arbitraries.integers());
    }

    /** Any long, often a small one. */
    public static Arbitrary<Long> longs() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 200),
                Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, -1L, 1L << 53, (long) Integer.MAX_VALUE + 1),
                Arbitraries.longs());
    }

    /** Any float: NaN, infinities, huge, tiny, negative zero, and the ordinary range. */
    public static Arbitrary<Float> floats() {
        return Arbitraries.oneOf(
                Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
                        -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 0f, 1e30f, -1e30f, 1f, -1f),
                Arbitraries.floats().between(-2f, 2f),
                Arbitraries.integers().map(Float::intBitsToFloat));
    }

    /** Any string: empty, long, control characters, surrogates, right-to-left marks. */
    public static Arbitrary<String> strings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8),
                Arbitraries.strings().all().ofMaxLength(300),
                Arbitraries.strings().withChars('a', '\n', '\u0000', '\u202e', '\ud800', ' ').ofMinLength(200).ofMaxLength(5000),
                Arbitraries.of("", " ", "/w", "/w Nobody hi", "/trade", "\ud83d\ude00"));
    }
}
