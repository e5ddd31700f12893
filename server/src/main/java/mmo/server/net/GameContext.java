package mmo.server.net;

import mmo.server.account.AccountService;
import mmo.server.config.ServerConfig;
import mmo.server.world.World;

/** What every connection needs from the rest of the server. Immutable; any thread. */
public record GameContext(ServerConfig config, AccountService accounts, World world, SessionRegistry sessions) {
    /** The server's version, as shown to clients. */
    public static final String VERSION = "0.1.0";
}
