package mmo.server.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.Arrays;
import java.util.List;

/** Mutations of a valid encoding: bytes changed or set to extremes, cut short, extended, a span duplicated. */
public final class Mutations {
    private Mutations() {
    }

    public static Arbitrary<byte[]> of(byte[] valid) {
        Arbitrary<int[]> edits = Combinators.combine(
                Arbitraries.integers().between(0, 4), // what
                Arbitraries.integers().between(0, Math.max(0, valid.length - 1)), // where
                Arbitraries.of(0x00, 0x7f, 0x80, 0xff, 0x01, 0x0a, 0x12).map(i -> i)) // with
                .as((what, at, with) -> new int[]{what, at, with});
        return edits.list().ofMinSize(1).ofMaxSize(4).map(list -> apply(valid, list));
    }

    private static byte[] apply(byte[] valid, List<int[]> edits) {
        byte[] b = valid.clone();
        for (int[] e : edits) {
            if (b.length == 0) return b;
            int at = Math.min(e[1], b.length - 1);
            b = switch (e[0]) {
                case 0 -> { b[at] = (byte) e[2]; yield b; }
                case 1 -> { b[at] ^= (byte) (1 << (e[2] & 7)); yield b; }
                case 2 -> Arrays.copyOf(b, at); // cut short
                case 3 -> { // a long run of continuation bytes: a varint that never ends
                    byte[] c = Arrays.copyOf(b, b.length + 12);
                    System.arraycopy(b, at, c, at + 12, b.length - at);
                    Arrays.fill(c, at, at + 12, (byte) 0xff);
                    yield c;
                }
                default -> { // the tail repeated
                    byte[] c = Arrays.copyOf(b, b.length + (b.length - at));
                    System.arraycopy(b, at, c, b.length, b.length - at);
                    yield c;
                }
            };
        }
        return b;
    }
}
