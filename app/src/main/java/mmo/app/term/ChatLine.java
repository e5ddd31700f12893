package mmo.app.term;

import mmo.protocol.ChatMessage;

/** One line of the chat log as shown: its text and colour. Immutable. */
public record ChatLine(Tint tint, String text) {
    /** How a chat message reads in the log, from the point of view of {@code self}. */
    public static ChatLine of(ChatMessage m, String self) {
        return switch (m.getChannel()) {
            case SAY -> new ChatLine(Tint.SAY, m.getFrom() + ": " + m.getText());
            case WORLD -> new ChatLine(Tint.WORLD, "[world] " + m.getFrom() + ": " + m.getText());
            case WHISPER -> new ChatLine(Tint.WHISPER, m.getFrom().equals(self) && !m.getTo().isEmpty()
                    ? "[to " + m.getTo() + "] " + m.getText()
                    : "[from " + m.getFrom() + "] " + m.getText());
            case SYSTEM -> new ChatLine(Tint.SYSTEM, "[server] " + m.getText());
            case UNRECOGNIZED -> new ChatLine(Tint.SYSTEM, m.getFrom() + ": " + m.getText());
        };
    }

    /** A line from the client itself (an error, a notice). */
    public static ChatLine error(String text) {
        return new ChatLine(Tint.ERROR, text);
    }
}
