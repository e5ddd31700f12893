package mmo.app;

import mmo.server.config.ServerConfig;
import mmo.server.persistence.Database;
import mmo.server.persistence.ModerationRepository;
import mmo.server.persistence.ModerationRepository.Role;
import mmo.server.persistence.PersistenceException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mmo admin}: the operator's moderation tools, run against the game database the server
 * uses (the same configuration as {@code mmo serve}: embedded SQLite by default, or --db). A
 * running server sees a grant or revoke at the account's next admin command: roles are read
 * from the database each time.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Moderation tools: make an account an admin, take it back, read the audit log.",
        subcommands = {AdminCommand.Grant.class, AdminCommand.Revoke.class, AdminCommand.Audit.class})
final class AdminCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Where the database is: the options {@code mmo serve} reads it from. */
    static final class DatabaseOptions {
        @Option(names = "--config", description = "Configuration file (HOCON). Default: ./mmo.conf if present.")
        Path config;

        @Option(names = "--db", description = "JDBC URL (default: mmo.db.url of the configuration, jdbc:sqlite:data/mmo.db; env MMO_DB_URL).")
        String db;

        Database open() {
            Map<String, Object> overrides = new HashMap<>();
            if (db != null) overrides.put("mmo.db.url", db.startsWith("postgresql://") ? "jdbc:" + db : db);
            return Database.open(ServerConfig.load(config, overrides).dbUrl());
        }
    }

    /** Sets an account's role; exit code 1 if there is no such account, 2 if the database fails. */
    static int setRole(DatabaseOptions where, String account, Role role, PrintStream out, PrintStream err) {
        try (Database db = where.open()) {
            if (!new ModerationRepository(db).setRole(account, role)) {
                err.println("mmo admin: no account is called '" + account + "'");
                return 1;
            }
            out.println(role == Role.ADMIN ? "'" + account + "' is an admin now" : "'" + account + "' is a player again");
            return 0;
        } catch (PersistenceException | IllegalArgumentException e) {
            err.println("mmo admin: " + e.getMessage());
            return 2;
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true, description = "Give an account the admin role.")
    static final class Grant implements Callable<Integer> {
        @Mixin DatabaseOptions where = new DatabaseOptions();
        @Parameters(paramLabel = "<account>", description = "The account's username (not a character name).")
        String account;

        @Override
        public Integer call() {
            return setRole(where, account, Role.ADMIN, System.out, System.err);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Take the admin role from an account.")
    static final class Revoke implements Callable<Integer> {
        @Mixin DatabaseOptions where = new DatabaseOptions();
        @Parameters(paramLabel = "<account>", description = "The account's username.")
        String account;

        @Override
        public Integer call() {
            return setRole(where, account, Role.PLAYER, System.out, System.err);
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "Print the newest moderation actions.")
    static final class Audit implements Callable<Integer> {
        @Mixin DatabaseOptions where = new DatabaseOptions();
        @Option(names = "--limit", defaultValue = "50", description = "How many rows (default 50).")
        int limit;

        @Override
        public Integer call() {
            try (Database db = where.open()) {
                for (ModerationRepository.AuditEntry e : new ModerationRepository(db).auditLog(Math.max(1, limit))) {
                    System.out.printf("%s  %s (account %d)  %s %s%s%s  -> %s%n", Instant.ofEpochMilli(e.at()), e.actorName(),
                            e.actorAccountId(), e.action(), e.target(),
                            e.durationS() == null ? "" : " " + e.durationS() + "s",
                            e.reason().isEmpty() ? "" : " \"" + e.reason() + "\"", e.outcome());
                }
                return 0;
            } catch (PersistenceException | IllegalArgumentException e) {
                System.err.println("mmo admin: " + e.getMessage());
                return 2;
            }
        }
    }
}
