package mmo.server.world;

import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.Emote;

/**
 * A character in the world: identity, position, movement intent and what its client knows
 * (the interest known-set). Owned by the thread ticking its region; the network layer only
 * reaches it through {@link #inbox()}.
 *
 * <p>A ghost ({@link #ghost(int, float, float, byte[])}) is a character simulated by another
 * world and only shown here: an id, a position and its enter fields; no link, no inbox, never
 * simulated, never a viewer, never saved.
 */
public final class Player {
    final int id;
    final long characterId;
    final long epoch; // of the claim this world simulates the character under; its saves carry it
    final long accountId;
    final String name;
    final CharacterClass characterClass;
    Appearance appearance;

    float x, y;
    float dirX, dirY;
    int ackSeq;
    int ackTick = -1;
    Emote lastingEmote = Emote.EMOTE_NONE;
    Region region;
    boolean removed;
    boolean localId;   // the id was allocated by this world (freed for reuse when it leaves)
    boolean leaving;   // stands in a region this world does not own: handed off after this tick's flush

    final boolean ghost;
    World.GhostSource ghostSource; // whose batches report it; null while a handoff is unconfirmed
    int ghostStamp;                // the source's batch that last reported it
    int ghostSince;                // tick it became a ghost by a handoff (expires if never reported)

    final ClientLink link;
    final Inbox inbox;

    // What this client has been sent: entity ids in increasing order, each with the last
    // position sent (1/16 units), interleaved as (id, qx, qy) so a viewer's diff reads one
    // array. Rewritten whole each tick from the encoder's scratch.
    int[] known = new int[3 * 16];
    int knownCount;
    int lastOptional; // far moves that were due for this viewer last tick (interest budget)

    float savedX, savedY;

    // The encoded enter fields (all but the position), rebuilt when the look or the lasting
    // emote changes: encoded once, sent to every viewer that sees this player enter.
    private byte[] enterFields;
    private Appearance enterFieldsAppearance;
    private Emote enterFieldsEmote;

    byte[] enterFields() {
        if (ghost) return enterFields;
        if (enterFields == null || enterFieldsAppearance != appearance || enterFieldsEmote != lastingEmote) {
            enterFields = UpdateEncoder.encodeEnterFields(this);
            enterFieldsAppearance = appearance;
            enterFieldsEmote = lastingEmote;
        }
        return enterFields;
    }

    Player(int id, long characterId, long epoch, long accountId, String name, CharacterClass characterClass,
           Appearance appearance, float x, float y, ClientLink link, Inbox inbox) {
        this.id = id;
        this.characterId = characterId;
        this.epoch = epoch;
        this.accountId = accountId;
        this.name = name;
        this.characterClass = characterClass;
        this.appearance = appearance;
        this.x = x;
        this.y = y;
        this.savedX = x;
        this.savedY = y;
        this.link = link;
        this.inbox = inbox;
        this.ghost = false;
    }

    private Player(int id, float x, float y, byte[] enterFields) {
        this.id = id;
        this.characterId = 0;
        this.epoch = 0;
        this.accountId = 0;
        this.name = "";
        this.characterClass = null;
        this.x = x;
        this.y = y;
        this.link = null;
        this.inbox = null;
        this.ghost = true;
        this.enterFields = enterFields;
    }

    /** A character simulated elsewhere, seen here at (x, y) with these encoded enter fields. */
    static Player ghost(int id, float x, float y, byte[] enterFields) {
        return new Player(id, x, y, enterFields);
    }

    /** A ghost's new enter fields (its look or lasting emote changed where it is simulated). */
    void setGhostEnterFields(byte[] fields) {
        enterFields = fields;
    }

    public int id() { return id; }
    public long characterId() { return characterId; }
    public long epoch() { return epoch; }
    public long accountId() { return accountId; }
    public String name() { return name; }
    public CharacterClass characterClass() { return characterClass; }
    public Appearance appearance() { return appearance; }
    public float x() { return x; }
    public float y() { return y; }
    public Inbox inbox() { return inbox; }
    public ClientLink link() { return link; }
    public Emote lastingEmote() { return lastingEmote; }
    public int ackSeq() { return ackSeq; }

    /** Ids this client currently knows, increasing (a copy; for tests and tools). */
    public int[] knownIds() {
        int[] ids = new int[knownCount];
        for (int i = 0; i < knownCount; i++) ids[i] = known[3 * i];
        return ids;
    }

    boolean isDirty() {
        return x != savedX || y != savedY;
    }

    /** Replaces the known set with the first {@code count} (id, qx, qy) entries of {@code src}. */
    void setKnown(int[] src, int count) {
        int need = 3 * count;
        if (known.length < need || known.length > 4 * need + 96) { // grow, or shrink after a crowd dispersed
            known = new int[Math.max(need + need / 2, 3 * 16)];
        }
        System.arraycopy(src, 0, known, 0, need);
        knownCount = count;
    }
}
