package mmo.server.cluster;

import mmo.protocol.DisconnectReason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An admin's kick or ban on one node closes the player's session on the node it is connected
 * to, and a mute or unmute reaches that node's copy: the ACCOUNT_CLOSE and ACCOUNT_MUTE
 * messages on the sessions topic, as a node receives them.
 */
class AccountCloseTest {
    @Test
    void aNodeClosesTheAccountItIsToldToAndIgnoresWhatItCannotRead() {
        ClusterGame game = new ClusterGame(16);
        List<String> closed = new ArrayList<>();
        game.onAccountClosed((account, reason, message) -> closed.add(account + " " + reason + " " + message));

        game.onTopicMessage(ClusterGame.SESSIONS_TOPIC, ClusterGame.ACCOUNT_CLOSE, ClusterGame.Wire.accountClose(
                "mmo@node-2", 42, DisconnectReason.BANNED_CLOSE_VALUE, "This account is banned for good"));
        assertThat(closed).containsExactly("42 BANNED_CLOSE This account is banned for good");

        // an unknown reason (a newer node) or a cut payload closes nothing and does not throw
        game.onTopicMessage(ClusterGame.SESSIONS_TOPIC, ClusterGame.ACCOUNT_CLOSE,
                ClusterGame.Wire.accountClose("mmo@node-2", 43, 999, "?"));
        byte[] cut = ClusterGame.Wire.accountClose("mmo@node-2", 44, DisconnectReason.KICKED_VALUE, "bye");
        game.onTopicMessage(ClusterGame.SESSIONS_TOPIC, ClusterGame.ACCOUNT_CLOSE, java.util.Arrays.copyOf(cut, cut.length - 3));
        assertThat(closed).hasSize(1);
    }

    @Test
    void aNodeAppliesAMuteSetOnAnotherAndIgnoresItsOwnAndWhatItCannotRead() {
        ClusterGame game = new ClusterGame(16);
        List<String> muted = new ArrayList<>();
        game.onMuteChanged((account, until, notice) -> muted.add(account + " " + until + " " + notice));

        game.onTopicMessage(ClusterGame.SESSIONS_TOPIC, ClusterGame.ACCOUNT_MUTE,
                ClusterGame.Wire.accountMute("mmo@node-2", 42, 1_900_000_000_000L, "You are muted for a while"));
        game.onTopicMessage(ClusterGame.SESSIONS_TOPIC, ClusterGame.ACCOUNT_MUTE, ClusterGame.Wire.accountMute("mmo@node-2", 42, 0, ""));
        assertThat(muted).containsExactly("42 1900000000000 You are muted for a while", "42 0 ");

        // this node's own (it applied it already: self is "" until attached) and a cut payload change nothing
        game.onTopicMessage(ClusterGame.SESSIONS_TOPIC, ClusterGame.ACCOUNT_MUTE, ClusterGame.Wire.accountMute("", 43, 1, "?"));
        byte[] cut = ClusterGame.Wire.accountMute("mmo@node-2", 44, 1, "bye");
        game.onTopicMessage(ClusterGame.SESSIONS_TOPIC, ClusterGame.ACCOUNT_MUTE, java.util.Arrays.copyOf(cut, cut.length - 3));
        assertThat(muted).hasSize(2);
    }
}
