package mmo.client;

import mmo.protocol.CharacterList;
import mmo.protocol.CharacterSummary;
import mmo.protocol.ChatMessage;
import mmo.protocol.Disconnect;
import mmo.protocol.LoginOk;
import mmo.protocol.Pong;
import mmo.protocol.WorldEntered;
import mmo.protocol.WorldUpdate;

/**
 * Receives what the server sends, as it arrives. Every method has a no-op default, so an
 * implementation overrides only what it needs.
 *
 * <p>All methods are called on the client's event-loop thread, which may be shared with
 * thousands of other clients: return quickly and never block there (no {@code join()} on a
 * client future). Reading the {@link WorldView} passed in is safe inside the callback. An
 * exception thrown by a callback is logged and otherwise ignored.
 *
 * <p>Messages that answer a request reach the listener first and the request's future after,
 * so listener state is up to date when a future's dependents run.
 */
public interface ClientListener {
    /** A listener that ignores everything. */
    ClientListener NONE = new ClientListener() {
    };

    /**
     * Login, registration or session resume succeeded.
     *
     * @param loginOk the account and its characters
     */
    default void onLoginOk(LoginOk loginOk) {
    }

    /**
     * The world list arrived (answering {@link MmoClient#listWorlds()}); the one that comes with
     * login is in {@link LoginOk#getWorldsList()}.
     *
     * @param worlds every world with its population and capacity
     */
    default void onWorldList(mmo.protocol.WorldList worlds) {
    }

    /**
     * A character was created.
     *
     * @param character the new character
     */
    default void onCharacterCreated(CharacterSummary character) {
    }

    /**
     * The character list arrived: after leaving the world, or because it changed.
     *
     * @param characters the account's characters
     */
    default void onCharacterList(CharacterList characters) {
    }

    /**
     * The client entered a world; {@code view} already reflects it.
     *
     * @param entered what the server sent
     * @param view    the client's view, already reset to the new world
     */
    default void onWorldEntered(WorldEntered entered, WorldView view) {
    }

    /**
     * One tick's update arrived; {@code view} already has it applied.
     *
     * @param update the raw update, e.g. for its one-off {@code events}
     * @param view   the client's view after applying the update
     */
    default void onWorldUpdate(WorldUpdate update, WorldView view) {
    }

    /**
     * Lean mode only ({@code ClientOptions.trackWorld(false)}): one tick's update was applied to
     * the client's lean view.
     *
     * @param view the lean view after the update
     */
    default void onLeanUpdate(LeanView view) {
    }

    /** The account's ignore list: after login and after each ignore / unignore. */
    default void onIgnoreList(java.util.List<String> names) {
    }

    /**
     * A chat line arrived (including the echo of this client's own lines). Channel SYSTEM is
     * the server itself: admin broadcasts and moderation notices.
     *
     * @param chat the message
     */
    default void onChat(ChatMessage chat) {
    }

    /**
     * Cluster mode: the node simulating the region the player stands in (on entering the
     * world, and after each handoff to another node). For debug views; nothing depends on it.
     */
    default void onRegionOwner(mmo.protocol.RegionOwner owner) {
    }

    /**
     * The server answered a ping ({@link MmoClient#ping()} or the client's own keep-alive).
     *
     * @param pong the answer
     */
    default void onPong(Pong pong) {
    }

    /**
     * The server sent an error. Called for every error, including those that also fail a
     * request's future.
     *
     * @param error the error
     * @param rid   the request id it answers, 0 if none
     */
    default void onError(mmo.protocol.Error error, int rid) {
    }

    /**
     * The server sent something this client cannot make sense of (an undecodable frame, a text
     * frame, a move for an unknown entity, ...). The client keeps going; the problem is also
     * counted in {@link MmoClient#protocolErrors()}.
     *
     * @param problem a description for logs
     */
    default void onProtocolError(String problem) {
    }

    /**
     * The connection of an established client (one whose {@code connect} future completed)
     * closed, for whatever reason. Called exactly once.
     *
     * @param disconnect  the {@code Disconnect} message the server sent before closing, or {@code null}
     * @param closeCode   the WebSocket close code, see {@link CloseInfo}
     * @param closeReason the WebSocket close reason, never {@code null}
     */
    default void onDisconnect(Disconnect disconnect, int closeCode, String closeReason) {
    }

    /** Your inventory, on entering the world and after every change. */
    default void onInventory(mmo.protocol.Inventory inventory) {
    }

    /** Your level, experience, health and ability, when they change. */
    default void onStats(mmo.protocol.CharacterStats stats) {
    }

    /** A trade you are in changed state. */
    default void onTrade(mmo.protocol.TradeState trade) {
    }
}
