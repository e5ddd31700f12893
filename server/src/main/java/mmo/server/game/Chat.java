package mmo.server.game;

import mmo.protocol.ChatChannel;
import mmo.protocol.ChatMessage;
import mmo.protocol.ChatSend;
import mmo.protocol.ErrorCode;
import mmo.protocol.ServerMessage;
import mmo.server.world.Player;
import mmo.server.world.World;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Chat rules: what a message may contain, and who hears it. SAY reaches players within the
 * speaker's view radius, WORLD everyone in the speaker's world (each world of a deployment
 * has its own), WHISPER one character by name in any world (or an error saying it is not
 * online). The speaker always gets its own copy, with its
 * request id. A muted speaker is refused, saying until when; a listener who ignores the
 * speaker does not get the message (the speaker is not told). Runs on the tick thread; holds
 * no state.
 */
public final class Chat implements World.GameRules {
    public static final int MAX_LENGTH = 256;
    /** Combining marks kept on one character: more only stack into unreadable "Zalgo" text. */
    static final int MAX_MARKS = 4;

    /**
     * What moderation says about chat: who is muted and who ignores whom. Called on the tick
     * thread; must answer from memory, never block.
     */
    public interface Moderation {
        /** Epoch ms until which the account may not chat ({@link Long#MAX_VALUE}: for good); 0 = not muted. */
        long mutedUntil(long accountId);

        /** Whether the account does not want to hear the character called {@code speakerName}. */
        boolean ignores(long listenerAccountId, String speakerName);

        /** Nobody muted, nobody ignored. */
        Moderation NONE = new Moderation() {
            @Override public long mutedUntil(long accountId) { return 0; }
            @Override public boolean ignores(long listenerAccountId, String speakerName) { return false; }
        };
    }

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
        static Reach otherWorlds(java.util.List<World> worlds, Moderation moderation) {
            return new Reach() {
                @Override public void say(float x, float y, float radius, int speakerEntity, ServerMessage msg) { }
                @Override public void world(ServerMessage msg) { }

                @Override
                public boolean whisper(String name, ServerMessage msg) {
                    for (World w : worlds) {
                        Player target = w.playerByName(name);
                        if (target == null) continue;
                        if (moderation.ignores(target.accountId(), msg.getChat().getFrom())) return true;
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

    /** Who reads along: the admin dashboard's moderation panel. Called on the tick thread; must not block. */
    public interface Log {
        /** {@code speaker} said {@code text} (cleaned) on {@code channel}; {@code to} is a whisper's recipient, else "". */
        void said(World world, Player speaker, ChatChannel channel, String text, String to);

        Log NONE = (world, speaker, channel, text, to) -> { };
    }

    private final Reach reach;
    private final Moderation moderation;
    private final Clock clock;
    private volatile Log chatLog = Log.NONE;

    public Chat() {
        this(Reach.NONE);
    }

    public Chat(Reach reach) {
        this(reach, Moderation.NONE, Clock.systemUTC());
    }

    /** @param clock decides whether a mute has ended */
    public Chat(Reach reach, Moderation moderation, Clock clock) {
        this.reach = reach;
        this.moderation = moderation;
        this.clock = clock;
    }

    /** Every message said from now on is also told to {@code log}. */
    public void logTo(Log log) {
        this.chatLog = log;
    }

    @Override
    public void onChat(World world, Player speaker, ChatSend chat, int rid) {
        long muted = moderation.mutedUntil(speaker.accountId());
        if (muted > clock.millis()) {
            world.sendError(speaker, rid, ErrorCode.CHAT_REJECTED, "You are muted " + until(muted));
            return;
        }
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
                world.forEachWithin(speaker.x(), speaker.y(), r, p -> {
                    if (p == speaker) p.link().send(echo(msg, rid));
                    else if (!ignores(p, speaker)) p.link().send(msg);
                });
                reach.say(speaker.x(), speaker.y(), r, speaker.id(), msg);
                chatLog.said(world, speaker, ChatChannel.SAY, text, "");
            }
            case WORLD -> {
                ServerMessage msg = message(ChatChannel.WORLD, speaker, text, "");
                for (Player p : world.players()) {
                    if (p == speaker) p.link().send(echo(msg, rid));
                    else if (!ignores(p, speaker)) p.link().send(msg);
                }
                reach.world(msg);
                chatLog.said(world, speaker, ChatChannel.WORLD, text, "");
            }
            case WHISPER -> {
                Player target = world.playerByName(chat.getTarget());
                if (target == null) {
                    ServerMessage msg = message(ChatChannel.WHISPER, speaker, text, chat.getTarget());
                    if (reach.whisper(chat.getTarget(), msg)) {
                        speaker.link().send(echo(msg, rid));
                        chatLog.said(world, speaker, ChatChannel.WHISPER, text, chat.getTarget());
                    } else {
                        world.sendError(speaker, rid, ErrorCode.NOT_ONLINE, chat.getTarget() + " is not online");
                    }
                    return;
                }
                ServerMessage msg = message(ChatChannel.WHISPER, speaker, text, target.name());
                // an ignored whisperer is not told: it would only try another way
                if (target != speaker && !ignores(target, speaker)) target.link().send(msg);
                speaker.link().send(echo(msg, rid));
                chatLog.said(world, speaker, ChatChannel.WHISPER, text, target.name());
            }
            default -> world.sendError(speaker, rid, ErrorCode.CHAT_REJECTED, "Unknown chat channel");
        }
    }

    private boolean ignores(Player listener, Player speaker) {
        return moderation.ignores(listener.accountId(), speaker.name());
    }

    /**
     * A message from the server to everyone in {@code world} (and, in a cluster, on every node):
     * a SYSTEM chat, e.g. an admin's broadcast. Tick thread.
     */
    public void broadcast(World world, String text) {
        ServerMessage msg = ServerMessage.newBuilder().setChat(ChatMessage.newBuilder()
                .setChannel(ChatChannel.SYSTEM).setText(text)).build();
        for (Player p : world.players()) p.link().send(msg);
        reach.world(msg);
    }

    /** "until 2026-11-25 23:10 UTC", or "for good" for {@link Long#MAX_VALUE}. */
    public static String until(long epochMs) {
        if (epochMs == Long.MAX_VALUE) return "for good";
        return "until " + UNTIL.format(Instant.ofEpochMilli(epochMs));
    }

    private static final DateTimeFormatter UNTIL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

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
     * Returns the text players will see, or throws CHAT_REJECTED: empty (also once cleaned) or
     * longer than {@value #MAX_LENGTH} characters once cleaned. Cleaning removes what can spoof,
     * hide or smuggle text: control characters (tabs and line breaks become spaces), format
     * characters (zero-width spaces and joiners, bidirectional overrides and isolates, word
     * joiners, the byte order mark, soft hyphens, tag characters), private-use, unassigned and
     * lone surrogate code points, fillers that render as nothing (Hangul fillers, the braille
     * blank, the combining grapheme joiner), every variation selector but one right after a
     * visible character (runs of them carry hidden bytes), and combining marks past
     * {@value #MAX_MARKS} on one character. Other spaces become plain spaces; the ends are
     * stripped.
     */
    public static String clean(String raw) {
        if (raw.isBlank()) throw new GameException(ErrorCode.CHAT_REJECTED, "Message is empty");
        StringBuilder out = new StringBuilder(raw.length());
        int marks = 0;           // combining marks on the last kept character
        boolean selectable = false; // the last kept character may take a variation selector
        for (int i = 0; i < raw.length(); ) {
            int cp = raw.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x85 || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SPACE_SEPARATOR) {
                out.append(' ');
                marks = 0;
                selectable = false;
            } else if (isVariationSelector(cp)) {
                if (selectable) out.appendCodePoint(cp);
                selectable = false;
            } else if (invisible(cp, type)) {
                // dropped
            } else if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                    || type == Character.COMBINING_SPACING_MARK) {
                if (++marks <= MAX_MARKS && out.length() > 0) out.appendCodePoint(cp);
            } else {
                out.appendCodePoint(cp);
                marks = 0;
                selectable = true;
            }
        }
        String text = out.toString().strip();
        if (text.isEmpty()) {
            throw new GameException(ErrorCode.CHAT_REJECTED, "Message is empty once control and invisible characters are removed");
        }
        if (text.codePointCount(0, text.length()) > MAX_LENGTH) {
            throw new GameException(ErrorCode.CHAT_REJECTED, "Message is longer than " + MAX_LENGTH + " characters");
        }
        return text;
    }

    private static boolean isVariationSelector(int cp) {
        return (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) || (cp >= 0x180B && cp <= 0x180D)
                || cp == 0x180F;
    }

    private static boolean invisible(int cp, int type) {
        return Character.isISOControl(cp) || type == Character.FORMAT || type == Character.PRIVATE_USE
                || type == Character.UNASSIGNED || type == Character.SURROGATE
                || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x2800 || cp == 0x034F;
    }
}
