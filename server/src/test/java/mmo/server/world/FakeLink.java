package mmo.server.world;

import mmo.protocol.ChatMessage;
import mmo.protocol.DisconnectReason;
import mmo.protocol.ServerMessage;
import mmo.protocol.WorldUpdate;

import java.util.ArrayList;
import java.util.List;

/**
 * A client link for tick-stepped tests: records what the world sends and when it flushes.
 * Single-threaded (the test's).
 */
public final class FakeLink implements ClientLink {
    private final List<ServerMessage> queued = new ArrayList<>();
    public final List<ServerMessage> delivered = new ArrayList<>();
    public int flushes;
    public DisconnectReason disconnected;

    @Override
    public void send(ServerMessage message) {
        queued.add(message);
    }

    /** Decodes what the world encoded by hand, so every test also checks the encoding. */
    @Override
    public void sendEncoded(byte[] bytes, int length) {
        try {
            queued.add(ServerMessage.parseFrom(java.util.Arrays.copyOf(bytes, length)));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("the world sent bytes that do not decode", e);
        }
    }

    @Override
    public void flush() {
        delivered.addAll(queued);
        queued.clear();
        flushes++;
    }

    @Override
    public void disconnect(DisconnectReason reason, String message) {
        if (disconnected == null) disconnected = reason;
    }

    /** The client's connection closed on its own (not by the world). */
    public boolean closed;

    @Override
    public boolean isOpen() {
        return !closed && disconnected == null;
    }

    public List<WorldUpdate> updates() {
        return delivered.stream().filter(ServerMessage::hasWorldUpdate).map(ServerMessage::getWorldUpdate).toList();
    }

    public WorldUpdate lastUpdate() {
        List<WorldUpdate> u = updates();
        return u.get(u.size() - 1);
    }

    public List<ChatMessage> chats() {
        return delivered.stream().filter(ServerMessage::hasChat).map(ServerMessage::getChat).toList();
    }

    public List<mmo.protocol.Error> errors() {
        return delivered.stream().filter(ServerMessage::hasError).map(ServerMessage::getError).toList();
    }

    public void clear() {
        delivered.clear();
    }
}
