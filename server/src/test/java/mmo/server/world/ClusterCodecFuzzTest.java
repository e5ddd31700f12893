package mmo.server.world;

import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.Emote;
import mmo.server.fuzz.Mutations;
import mmo.server.persistence.ItemPlace;
import mmo.server.persistence.ItemRow;
import mmo.server.persistence.Progress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

/**
 * Fuzzes the codecs of what cluster nodes send each other (player hand-overs, ghost batches,
 * game actions): random bytes and mutations of valid encodings are either read or refused with
 * an {@link IllegalArgumentException}, never anything else (a node must not die of a peer's
 * bytes). Few tries in the test run; {@code -Djqwik.tries.default=N} for a long run.
 */
class ClusterCodecFuzzTest {
    private static final byte[] SNAPSHOT = new PlayerSnapshot(42, 7001, 3, 9, "Walker", CharacterClass.MAGE,
            Appearance.newBuilder().setBody(2).build(), 30.5f, 50.5f, 1, 0, 17, -2, Emote.WAVE, 30, 50,
            new int[]{5, 1, -1, 9, 2, 2}, 2, 4, new Progress(3, 160, 25, List.of(
                    ItemRow.owned(1000, "boots", 7001, ItemPlace.WORN, 3),
                    ItemRow.owned(1001, "rusty-sword", 7001, ItemPlace.BAG, 5))), 33, false).encode();
    private static final byte[] GHOSTS = new GhostBatch.Builder(99).add(5, 1.5f, 2.5f, new byte[]{8, 1, 18, 2, 65, 66})
            .add(6, -3f, 1e9f, new byte[0]).addEvent(5, new byte[]{8, 5}).build().encode();
    private static final byte[] ACTION = RemoteAction.trade(RemoteAction.TRADE_ACT, 7001, 7002, new byte[]{1, 2, 3, 4});

    @Property
    void playerSnapshotsReadOrRefuse(@ForAll("snapshotBytes") List<byte[]> samples) {
        for (byte[] b : samples) readOrRefuse(() -> PlayerSnapshot.decode(b));
    }

    @Property
    void ghostBatchesReadOrRefuse(@ForAll("ghostBytes") List<byte[]> samples) {
        for (byte[] b : samples) readOrRefuse(() -> GhostBatch.decode(b));
    }

    @Property
    void gameActionsReadOrRefuse(@ForAll("actionBytes") List<byte[]> samples) {
        for (byte[] b : samples) readOrRefuse(() -> RemoteAction.decode(b));
    }

    private static void readOrRefuse(Runnable decode) {
        try {
            decode.run();
        } catch (IllegalArgumentException refused) {
            // the one way to refuse
        }
    }

    @Provide
    Arbitrary<List<byte[]>> snapshotBytes() {
        return bytesLike(SNAPSHOT).list().ofSize(60);
    }

    @Provide
    Arbitrary<List<byte[]>> ghostBytes() {
        return bytesLike(GHOSTS).list().ofSize(60);
    }

    @Provide
    Arbitrary<List<byte[]>> actionBytes() {
        return bytesLike(ACTION).list().ofSize(60);
    }

    /** Random bytes, or a valid encoding with some bytes changed, cut short or extended. */
    static Arbitrary<byte[]> bytesLike(byte[] valid) {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(8).map(tail -> prefixed(valid[0], tail)),
                Mutations.of(valid));
    }

    private static byte[] prefixed(byte first, byte[] tail) {
        byte[] b = new byte[tail.length + 1];
        b[0] = first; // the right format version, then anything
        System.arraycopy(tail, 0, b, 1, tail.length);
        return b;
    }
}
