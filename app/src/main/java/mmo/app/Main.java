package mmo.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mmo} command: one entry point for every tool the project ships. */
@Command(name = "mmo", mixinStandardHelpOptions = true, version = "mmo 0.1.0",
        description = "An open-source MMO server, its clients and its tools.",
        subcommands = {ServeCommand.class, AdminCommand.class, BotsCommand.class, BenchCommand.class, SoakCommand.class,
                ClusterDemoCommand.class, PlayCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
