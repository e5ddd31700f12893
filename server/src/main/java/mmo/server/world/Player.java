package mmo.server.world;

import mmo.protocol.Appearance;
import mmo.protocol.CharacterClass;
import mmo.protocol.Emote;

/**
 * A character in the world: identity, position, movement intent, what its client knows (the
 * interest known-set), and its fighting state, progress and inventory. Owned by the thread
 * ticking its region; the network layer only reaches it through {@link #inbox()}.
 */
public final class Player extends Entity {
    final long characterId;
    final long epoch; // of the claim this world simulates the character under; its saves carry it
    final long accountId;
    final String name;
    final CharacterClass characterClass;
    Appearance appearance;

    float dirX, dirY;
    int ackSeq;
    int ackTick = -1;
    Emote lastingEmote = Emote.EMOTE_NONE;
    Region region;
    boolean removed;
    boolean localId;   // the id was allocated by this world (freed for reuse when it leaves)
    boolean leaving;   // stands in a region this world does not own: handed off after this tick's flush

    final ClientLink link;
    final Inbox inbox;

    // What this client has been sent: entity ids in increasing order, each with the last
    // position sent (1/16 units), interleaved as (id, qx, qy) so a viewer's diff reads one
    // array. Rewritten whole each tick from the encoder's scratch.
    int[] known = new int[3 * 16];
    int knownCount;
    int lastOptional; // far moves that were due for this viewer last tick (interest budget)

    float savedX, savedY;

    // Refused requests (see Refusals): the current window's start tick and counts, and how
    // often it was flagged.
    int refusedSince = -1;
    int refusedInWindow;
    int[] refusedKinds;
    int flagged;
    int inputsThisTick; // movement inputs applied in the current tick

    // Fighting and progress (see Game): level and experience, health, death, cooldown.
    int level = 1;
    long xp;
    // The progress granted: level and xp plus the grants the ledger is still writing. The
    // player has (and is told) level and xp only once written.
    int grantedLevel = 1;
    long grantedXp;
    int health = 1, maxHealth = 1;
    boolean dead;
    int diedAt;          // tick of death: revived at home some ticks later
    int lastHurtAt = Integer.MIN_VALUE / 2; // tick last damaged (regeneration waits after it)
    int abilityReadyAt;  // tick from which the class ability may be used again
    boolean statsDirty;  // CharacterStats to send at the end of the tick
    final Inventory inventory = new Inventory();
    Trade trade;         // the trade it is in (hosted here), or null
    Trade.Link tradeLink; // the trade it is in, hosted by another world, or null
    int handedTo = -1;   // the region it was handed off to (its writes completing here are announced there)

    // The look the cached enter fields were encoded with (the appearance and lasting emote are
    // assigned directly; everything else calls changed()).
    private Appearance encodedAppearance;
    private Emote encodedEmote;

    @Override
    boolean stale() {
        return super.stale() || encodedAppearance != appearance || encodedEmote != lastingEmote;
    }

    @Override
    byte[] encodeEnterFields() {
        encodedAppearance = appearance;
        encodedEmote = lastingEmote;
        return UpdateEncoder.encodeEnterFields(this);
    }

    Player(int id, long characterId, long epoch, long accountId, String name, CharacterClass characterClass,
           Appearance appearance, float x, float y, ClientLink link, Inbox inbox) {
        super(id, x, y);
        this.characterId = characterId;
        this.epoch = epoch;
        this.accountId = accountId;
        this.name = name;
        this.characterClass = characterClass;
        this.appearance = appearance;
        this.savedX = x;
        this.savedY = y;
        this.link = link;
        this.inbox = inbox;
    }

    public long characterId() { return characterId; }
    public long epoch() { return epoch; }
    public long accountId() { return accountId; }
    public String name() { return name; }
    public CharacterClass characterClass() { return characterClass; }
    public Appearance appearance() { return appearance; }
    public Inbox inbox() { return inbox; }
    public ClientLink link() { return link; }
    public Emote lastingEmote() { return lastingEmote; }
    public int ackSeq() { return ackSeq; }

    /** How many times this player was flagged for refused requests (see {@link Refusals}). */
    public int timesFlagged() { return flagged; }
    public int level() { return level; }
    public long xp() { return xp; }
    public int health() { return health; }
    public int maxHealth() { return maxHealth; }
    public boolean dead() { return dead; }
    public Inventory inventory() { return inventory; }

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

    /** Whether this client knows entity {@code id} (binary search of the known set). */
    boolean knows(int id) {
        int lo = 0, hi = knownCount - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int v = known[3 * mid];
            if (v < id) lo = mid + 1;
            else if (v > id) hi = mid - 1;
            else return true;
        }
        return false;
    }
}
