package mmo.server.net;

import mmo.server.account.AccountService;
import mmo.server.config.ServerConfig;
import mmo.server.game.WorldDirectory;
import mmo.server.world.World;

/**
 * What every connection needs from the rest of the server. Immutable; any thread.
 *
 * @param worlds  the deployment's worlds, with their seats (population)
 * @param gateway how connections reach the world: directly, or across the cluster
 */
public record GameContext(ServerConfig config, AccountService accounts, WorldDirectory worlds, SessionRegistry sessions,
                          WorldGateway gateway) {
    public GameContext(ServerConfig config, AccountService accounts, WorldDirectory worlds, SessionRegistry sessions) {
        this(config, accounts, worlds, sessions, new WorldGateway.Local(worlds.first().world()));
    }

    /** The first world (the stats endpoint reads it). */
    public World world() {
        return worlds.first().world();
    }

    /** The server's version, as shown to clients. */
    public static final String VERSION = "0.1.0";
}
