package mmo.server.net;

import mmo.server.account.AccountService;
import mmo.server.config.ServerConfig;
import mmo.server.world.World;

/**
 * What every connection needs from the rest of the server. Immutable; any thread.
 *
 * @param world   this process's world (the stats endpoint reads it)
 * @param gateway how connections reach the world: directly, or across the cluster
 */
public record GameContext(ServerConfig config, AccountService accounts, World world, SessionRegistry sessions,
                          WorldGateway gateway) {
    public GameContext(ServerConfig config, AccountService accounts, World world, SessionRegistry sessions) {
        this(config, accounts, world, sessions, new WorldGateway.Local(world));
    }

    /** The server's version, as shown to clients. */
    public static final String VERSION = "0.1.0";
}
