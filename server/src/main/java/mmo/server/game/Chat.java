package mmo.server.game;

import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.ChatSend;
import mmo.protocol.ErrorCode;
import mmo.protocol.ServerMessage;
import mmo.server.world.Player;
import mmo.server.world.World;

/**
 * Chat rules: what a message may contain, and who hears it. SAY reaches players within the
 * speaker's view radius, WORLD everyone in the speaker's world (each world of a deployment
 * has its own), WHISPER one character by name in any world (or an error saying it is not
 * online). The speaker always gets its own copy, with its
 * request id. Runs on the tick thread; holds no state.
 */
public final class Chat implements World.GameRules {
    public static final int MAX_LENGTH = 256;

    /**
     * Who hears chat beyond this world: in a cluster, players simulated on other nodes. Called
     * on the tick thread; must not block.
     */
    public interface Reach {
        /** SAY: players elsewhere within {@code radius} of (x, y). */
        void say(float x, float y, float radius, int speakerEntity, ServerMessage msg);

        /** WORLD: everyone elsewhere. */
        void world(ServerMessage msg);

        /** WHISPER to a character not in this world: true if it is online elsewhere (and was sent it). */
        boolean whisper(String name, ServerMessage msg);

        /** One process: nobody else. */
        Reach NONE = new Reach() {
            @Override public void say(float x, float y, float radius, int speakerEntity, ServerMessage msg) { }
            @Override public void world(ServerMessage msg) { }
            @Override public boolean whisper(String name, ServerMessage msg) { return false; }
        };

        /**
         * One process of several worlds: a WHISPER reaches a character by name in whichever of
         * {@code worlds} it plays (so friends in different worlds can still talk); SAY and WORLD
         * stay in the speaker's world. Needs every world ticked by the same thread (the server's
         * one tick loop): the whisper is handed straight to the target's connection on that
         * thread (it goes out with the target world's next flush), and
         * {@link World#playerByName} fails loudly if another thread owns that world.
         */
        static Reach otherWorlds(java.util.List<World> worlds) {
            return new Reach() {
                @Override public void say(float x, float y, float radius, int speakerEntity, ServerMessage msg) { }
                @Override public void world(ServerMessage msg) { }

                @Override
                public boolean whisper(String name, ServerMessage msg) {
                    for (World w : worlds) {
                        Player target = w.playerByName(name);
                        if (target == null) continue;
                        // the speaker's entity id means nothing in the target's world
                        ChatMessage chat = msg.getChat().toBuilder().setFromEntity(0).setTo(target.name()).build();
                        target.link().send(msg.toBuilder().setChat(chat).build());
                        return true;
                    }
                    return false;
                }
            };
        }
    }

    private final Reach reach;

    public Chat() {
        this(Reach.NONE);
    }

    public Chat(Reach reach) {
        this.reach = reach;
    }

    @Override
    public void onChat(World world, Player speaker, ChatSend chat, int rid) {
        String text;
        try {
            text = clean(chat.getText());
        } catch (GameException e) {
            world.sendError(speaker, rid, e.code(), e.getMessage());
            return;
        }
        switch (chat.getChannel()) {
            case SAY -> {
                ServerMessage msg = message(ChatChannel.SAY, speaker, text, "");
                float r = world.settings().viewRadius();
                world.forEachWithin(speaker.x(), speaker.y(), r,
                        p -> p.link().send(p == speaker ? echo(msg, rid) : msg));
                reach.say(speaker.x(), speaker.y(), r, speaker.id(), msg);
            }
            case WORLD -> {
                ServerMessage msg = message(ChatChannel.WORLD, speaker, text, "");
                for (Player p : world.players()) p.link().send(p == speaker ? echo(msg, rid) : msg);
                reach.world(msg);
            }
            case WHISPER -> {
                Player target = world.playerByName(chat.getTarget());
                if (target == null) {
                    ServerMessage msg = message(ChatChannel.WHISPER, speaker, text, chat.getTarget());
                    if (reach.whisper(chat.getTarget(), msg)) {
                        speaker.link().send(echo(msg, rid));
                    } else {
                        world.sendError(speaker, rid, ErrorCode.NOT_ONLINE, chat.getTarget() + " is not online");
                    }
                    return;
                }
                ServerMessage msg = message(ChatChannel.WHISPER, speaker, text, target.name());
                if (target != speaker) target.link().send(msg);
                speaker.link().send(echo(msg, rid));
            }
            default -> world.sendError(speaker, rid, ErrorCode.CHAT_REJECTED, "Unknown chat channel");
        }
    }

    /** The speaker's own copy carries the request id, so its client knows the message went out. */
    private static ServerMessage echo(ServerMessage msg, int rid) {
        return rid == 0 ? msg : msg.toBuilder().setRid(rid).build();
    }

    private static ServerMessage message(ChatChannel channel, Player from, String text, String to) {
        return ServerMessage.newBuilder().setChat(ChatMessage.newBuilder()
                .setChannel(channel)
                .setFrom(from.name())
                .setFromEntity(from.id())
                .setText(text)
                .setTo(to)).build();
    }

    /**
     * Returns the text players will see, or throws CHAT_REJECTED: empty, longer than
     * {@value #MAX_LENGTH} characters, or containing control or invisible formatting
     * characters (which can spoof or hide text).
     */
    public static String clean(String raw) {
        String text = raw.strip();
        if (text.isEmpty()) throw new GameException(ErrorCode.CHAT_REJECTED, "Message is empty");
        if (text.codePointCount(0, text.length()) > MAX_LENGTH) {
            throw new GameException(ErrorCode.CHAT_REJECTED, "Message is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int type = Character.getType(cp);
            if (Character.isISOControl(cp) || type == Character.FORMAT || type == Character.PRIVATE_USE
                    || type == Character.UNASSIGNED || type == Character.SURROGATE) {
                throw new GameException(ErrorCode.CHAT_REJECTED, "Message contains control or invisible characters");
            }
            i += Character.charCount(cp);
        }
        return text;
    }
}
