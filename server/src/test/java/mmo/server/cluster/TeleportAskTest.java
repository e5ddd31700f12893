package mmo.server.cluster;

import mmo.protocol.ErrorCode;
import mmo.server.game.GameException;
import mmo.server.world.TestWorlds;
import mmo.server.world.World;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An admin's teleport of a character this node does not simulate asks the other members (two
 * real nodes; the other is a host that records what it gets and answers only when the test
 * says): done when a node moved it, NOT_ONLINE once every node said it is not there, and a
 * clear error, not a wait without end, when a node never answers.
 */
class TeleportAskTest {
    @Test
    void aTeleportOfACharacterSimulatedElsewhereWaitsForTheAnswersAndTimesOutWithoutThem() throws Exception {
        World world = TestWorlds.world(new TestWorlds.RecordingSaver());
        ClusterGame game = new ClusterGame(16);
        game.bind(world);
        ClusterNode a = ClusterNode.start(new ClusterSettings("127.0.0.1", 0, List.of(), 8, 8, Duration.ofSeconds(5)),
                game, ClusterNodeTest.TEST_PEKKO);
        ClusterNodeTest.Host other = new ClusterNodeTest.Host();
        ClusterNode b = ClusterNode.start(new ClusterSettings("127.0.0.1", 0, List.of(a.self().substring(a.self().indexOf('@') + 1)),
                8, 8, Duration.ofSeconds(5)), other, ClusterNodeTest.TEST_PEKKO);
        try {
            game.attach(a);
            b.subscribe(ClusterGame.SESSIONS_TOPIC); // as its game would: the asks come on it
            ClusterNodeTest.await("two members", () -> a.members().size() == 2 && b.members().size() == 2, a::members);

            // nobody answers: a clear error after TELEPORT_ANSWER_MS (meanwhile the topic has surely
            // reached b: the first messages on a topic new to a node may miss it, docs/CLUSTER.md)
            CompletableFuture<String> unanswered = teleport(game, world, "Nobody");
            assertThatThrownBy(() -> unanswered.get(ClusterGame.TELEPORT_ANSWER_MS + 5_000, TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(GameException.class)
                    .satisfies(e -> assertThat(((GameException) e).code()).isEqualTo(ErrorCode.SERVER_ERROR))
                    .hasMessageContaining("try again");

            // b answers "not here": every other node said no
            CompletableFuture<String> absent = teleport(game, world, "Absent");
            ClusterGame.Wire.TeleportAsk ask = askFor(other, "Absent");
            assertThat(ask.origin()).isEqualTo(a.self());
            assertThat(ask.x()).isEqualTo(3.5f);
            game.onNodeMessage(b.self(), ClusterGame.TELEPORT_ANSWER,
                    ClusterGame.Wire.teleportAnswer(ask.id(), ClusterGame.NOT_HERE, world.name(), ask.x(), ask.y()));
            assertThatThrownBy(() -> absent.get(5, TimeUnit.SECONDS)).cause()
                    .satisfies(e -> assertThat(((GameException) e).code()).isEqualTo(ErrorCode.NOT_ONLINE));

            // b moved it; and a spot b found not walkable is the admin's BAD_REQUEST
            CompletableFuture<String> moved = teleport(game, world, "Faraway");
            game.onNodeMessage(b.self(), ClusterGame.TELEPORT_ANSWER, ClusterGame.Wire.teleportAnswer(
                    askFor(other, "Faraway").id(), ClusterGame.TELEPORTED, "Elsewhere", 3.5f, 4.5f));
            assertThat(moved.get(5, TimeUnit.SECONDS)).isEqualTo("Elsewhere");
            CompletableFuture<String> wall = teleport(game, world, "Walled");
            game.onNodeMessage(b.self(), ClusterGame.TELEPORT_ANSWER, ClusterGame.Wire.teleportAnswer(
                    askFor(other, "Walled").id(), ClusterGame.NOT_WALKABLE, "Elsewhere", 3.5f, 4.5f));
            assertThatThrownBy(() -> wall.get(5, TimeUnit.SECONDS)).cause()
                    .satisfies(e -> assertThat(((GameException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST))
                    .hasMessageContaining("not a walkable spot of Elsewhere");
        } finally {
            b.close();
            a.close();
            game.stop();
        }
    }

    /** Asks for the teleport; the world's tick finds it is not simulated here and asks the others. */
    private static CompletableFuture<String> teleport(ClusterGame game, World world, String name) {
        CompletableFuture<String> f = game.teleport(name, 3.5f, 4.5f);
        world.tick();
        return f;
    }

    private static ClusterGame.Wire.TeleportAsk askFor(ClusterNodeTest.Host host, String name) {
        ClusterGame.Wire.TeleportAsk[] found = new ClusterGame.Wire.TeleportAsk[1];
        ClusterNodeTest.await("the ask for " + name, () -> host.received.stream()
                .filter(r -> r.kind() == ClusterGame.TELEPORT_ASK)
                .map(r -> {
                    try {
                        return ClusterGame.Wire.readTeleportAsk(r.payload());
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                })
                .filter(t -> t.name().equals(name)).peek(t -> found[0] = t).findFirst().isPresent(), () -> host.received.size());
        return found[0];
    }
}
