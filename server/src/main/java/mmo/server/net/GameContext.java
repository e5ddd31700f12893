package mmo.server.net;

import mmo.server.account.AccountService;
import mmo.server.admin.Dashboard;
import mmo.server.config.ServerConfig;
import mmo.server.game.WorldDirectory;
import mmo.server.moderation.ModerationService;
import mmo.server.world.World;

/**
 * What every connection needs from the rest of the server. Immutable; any thread.
 *
 * @param worlds  the deployment's worlds, with their seats (population)
 * @param gateway    how connections reach the world: directly, or across the cluster
 * @param moderation bans at login, ignore lists, admin commands
 * @param traffic    where the connections count their messages and bytes (metrics)
 * @param dashboard  the admin dashboard's feed, which admins' connections watch (null in some unit tests)
 */
public record GameContext(ServerConfig config, AccountService accounts, WorldDirectory worlds, SessionRegistry sessions,
                          WorldGateway gateway, ModerationService moderation, NetTraffic traffic, Dashboard dashboard) {

    /** With traffic counted where nobody reads it and no dashboard (unit tests). */
    public GameContext(ServerConfig config, AccountService accounts, WorldDirectory worlds, SessionRegistry sessions,
                       WorldGateway gateway, ModerationService moderation) {
        this(config, accounts, worlds, sessions, gateway, moderation, new NetTraffic(), null);
    }

    /** With traffic counted where nobody reads it (unit tests). */
    public GameContext(ServerConfig config, AccountService accounts, WorldDirectory worlds, SessionRegistry sessions,
                       WorldGateway gateway, ModerationService moderation, Dashboard dashboard) {
        this(config, accounts, worlds, sessions, gateway, moderation, new NetTraffic(), dashboard);
    }

    /** The first world (the stats endpoint reads it). */
    public World world() {
        return worlds.first().world();
    }

    /** The server's version, as shown to clients. */
    public static final String VERSION = "0.1.0";
}
