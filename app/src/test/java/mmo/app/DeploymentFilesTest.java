package mmo.app;

import mmo.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped deployment files are read as their tools would read them and checked against the
 * code they run: the Dockerfile, the Kubernetes manifests (deploy/k8s) and the systemd unit
 * (deploy/systemd). Every MMO_* variable they set exists, and the settings they give make a valid
 * server configuration; ports, probes, selectors, the discovery name, the database URL and the
 * command line agree with each other and with the jar. And every command of the jar answers --help.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{\\?(MMO_[A-Z0-9_]+)}");

    /** The MMO_* variables reference.conf reads. */
    private static List<String> knownVariables() throws IOException {
        String ref = Files.readString(ROOT.resolve("server/src/main/resources/reference.conf"));
        List<String> out = new ArrayList<>();
        Matcher m = ENV_REF.matcher(ref);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static void assertRealCommand(List<String> args) {
        CommandLine mmo = new CommandLine(new Main());
        assertThat(mmo.getSubcommands()).as("the jar's commands").containsKey(args.get(0));
        // parses as the jar would parse it (unknown options fail)
        mmo.parseArgs(args.toArray(String[]::new));
    }

    @Test
    void everyCommandOfTheJarAnswersHelp() {
        CommandLine mmo = new CommandLine(new Main());
        assertThat(mmo.getSubcommands()).containsKeys("serve", "bench", "bots", "soak", "admin", "cluster-demo");
        for (var e : mmo.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            StringWriter out = new StringWriter();
            CommandLine fresh = new CommandLine(new Main());
            fresh.setOut(new PrintWriter(out));
            int code = fresh.execute(e.getKey(), "--help");
            assertThat(code).as(e.getKey() + " --help exit code").isZero();
            assertThat(out.toString()).as(e.getKey() + " --help").contains("Usage: mmo " + e.getKey()).contains("--help");
            assertThat(e.getValue().getCommandSpec().usageMessage().description()).as(e.getKey() + " has a description").isNotEmpty();
        }
    }

    @Test
    void dockerfileBuildsTheJarAndRunsAServer() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        List<String> froms = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(froms).hasSize(2);
        assertThat(froms.get(0)).endsWith(" AS build");
        assertThat(froms.get(1)).startsWith("FROM eclipse-temurin:21-jre");
        // the manifest files copied before the sources exist
        for (String l : lines) {
            if (l.startsWith("COPY ") && !l.contains("--from") && !l.equals("COPY . .")) {
                String[] parts = l.substring(5).split("\\s+");
                for (int i = 0; i < parts.length - 1; i++) assertThat(ROOT.resolve(parts[i])).as(l).exists();
            }
        }
        String pom = Files.readString(ROOT.resolve("app/pom.xml"));
        assertThat(pom).contains("<finalName>mmo</finalName>");
        assertThat(lines).contains("COPY --from=build /src/app/target/mmo.jar /opt/mmo/mmo.jar");
        String entry = lines.stream().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        assertThat(entry).contains("\"-jar\", \"/opt/mmo/mmo.jar\"");
        String cmd = lines.stream().filter(l -> l.startsWith("CMD ")).findFirst().orElseThrow();
        assertRealCommand(List.of(cmd.replaceAll("CMD \\[\"([a-z-]+)\"]", "$1")));

        Map<String, String> env = new HashMap<>();
        for (String l : lines) {
            if (l.startsWith("ENV ")) {
                for (String kv : l.substring(4).split("\\s+")) {
                    String[] p = kv.split("=", 2);
                    if (p[0].startsWith("MMO_")) env.put(p[0], p[1]);
                }
            }
        }
        assertThat(knownVariables()).containsAll(env.keySet());
        ServerConfig config = ServerConfig.withEnvironment(env);
        List<Integer> exposed = lines.stream().filter(l -> l.startsWith("EXPOSE ")).flatMap(l -> Stream.of(l.substring(7).split("\\s+")))
                .map(Integer::valueOf).toList();
        assertThat(exposed).containsExactlyInAnyOrder(config.port(), config.managementPort(), config.clusterPort(),
                config.clusterDiscovery().bootstrapPort());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    private static Object at(Object node, String... path) {
        Object o = node;
        for (String p : path) {
            assertThat(o).as("path " + String.join(".", path) + " at " + p).isInstanceOf(Map.class);
            o = map(o).get(p);
        }
        return o;
    }

    private record Resource(String kind, String name, Map<String, Object> doc) {}

    private static List<Resource> manifests() throws IOException {
        Path dir = ROOT.resolve("deploy/k8s");
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        Map<String, Object> kustomization = map(yaml.load(Files.readString(dir.resolve("kustomization.yaml"))));
        List<String> listed = list(kustomization.get("resources")).stream().map(String::valueOf).toList();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml")))
                    .as("every manifest is listed in kustomization.yaml").containsExactlyInAnyOrderElementsOf(listed);
        }
        List<Resource> out = new ArrayList<>();
        for (String f : listed) {
            for (Object doc : yaml.loadAll(Files.readString(dir.resolve(f)))) {
                if (doc == null) continue;
                Map<String, Object> d = map(doc);
                assertThat(d).as(f).containsKeys("apiVersion", "kind", "metadata");
                String ns = (String) at(d, "metadata", "namespace");
                if (!d.get("kind").equals("Namespace")) assertThat(ns).as(f + " namespace").isEqualTo(kustomization.get("namespace"));
                out.add(new Resource((String) d.get("kind"), (String) at(d, "metadata", "name"), d));
            }
        }
        return out;
    }

    private static Map<String, Object> find(List<Resource> all, String kind, String name) {
        return all.stream().filter(r -> r.kind.equals(kind) && r.name.equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name)).doc;
    }

    private static Map<String, Object> container(Map<String, Object> statefulSet) {
        return map(list(at(statefulSet, "spec", "template", "spec", "containers")).get(0));
    }

    /** A container's named ports. */
    private static Map<String, Integer> ports(Map<String, Object> container) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Object p : list(container.get("ports"))) out.put((String) map(p).get("name"), (Integer) map(p).get("containerPort"));
        return out;
    }

    @Test
    void kubernetesManifestsFitTogetherAndGiveAValidClusterNode() throws IOException {
        List<Resource> all = manifests();
        Map<String, Object> nodes = find(all, "StatefulSet", "mmo");
        Map<String, Object> headless = find(all, "Service", (String) at(nodes, "spec", "serviceName"));
        Map<String, Object> players = find(all, "Service", "mmo");
        Map<String, Object> secret = find(all, "Secret", "mmo-db");
        Map<String, Object> pg = find(all, "StatefulSet", "postgres");
        Map<String, Object> pgService = find(all, "Service", "postgres");

        // selectors pick the pods of their StatefulSet
        for (Map<String, Object> set : List.of(nodes, pg)) {
            Map<String, Object> labels = map(at(set, "spec", "template", "metadata", "labels"));
            assertThat(labels).containsAllEntriesOf(map(at(set, "spec", "selector", "matchLabels")));
        }
        assertThat(map(at(nodes, "spec", "template", "metadata", "labels"))).containsAllEntriesOf(map(at(headless, "spec", "selector")))
                .containsAllEntriesOf(map(at(players, "spec", "selector")));
        assertThat(map(at(pg, "spec", "template", "metadata", "labels"))).containsAllEntriesOf(map(at(pgService, "spec", "selector")));

        // discovery: the headless Service lists starting pods too, on the cluster and bootstrap ports
        assertThat(at(headless, "spec", "clusterIP")).isEqualTo("None");
        assertThat(at(headless, "spec", "publishNotReadyAddresses")).isEqualTo(true);
        Map<String, Object> mmo = container(nodes);
        Map<String, Integer> ports = ports(mmo);
        for (Map<String, Object> svc : List.of(headless, players)) {
            for (Object p : list(at(svc, "spec", "ports"))) assertThat(ports).containsKey((String) map(p).get("targetPort"));
        }
        for (Object p : list(at(pgService, "spec", "ports"))) assertThat(ports(container(pg))).containsKey((String) map(p).get("targetPort"));

        // the node's environment, with the pod address and the secret filled in as Kubernetes would
        Map<String, String> stringData = (Map<String, String>) (Map<?, ?>) map(at(secret, "stringData"));
        Map<String, String> env = new LinkedHashMap<>();
        for (Object o : list(mmo.get("env"))) {
            Map<String, Object> e = map(o);
            String name = (String) e.get("name");
            String value;
            if (e.containsKey("value")) {
                value = ((String) e.get("value")).replace("$(POD_IP)", "10.1.2.3");
            } else if (at(e, "valueFrom", "secretKeyRef") != null) {
                assertThat(at(e, "valueFrom", "secretKeyRef", "name")).isEqualTo("mmo-db");
                value = stringData.get((String) at(e, "valueFrom", "secretKeyRef", "key"));
                assertThat(value).as("secret key of " + name).isNotNull();
            } else {
                assertThat(at(e, "valueFrom", "fieldRef", "fieldPath")).isEqualTo("status.podIP");
                value = "10.1.2.3";
            }
            env.put(name, value);
        }
        List<String> mmoVars = env.keySet().stream().filter(k -> k.startsWith("MMO_")).toList();
        assertThat(knownVariables()).containsAll(mmoVars);
        Map<String, String> mmoEnv = new HashMap<>();
        for (String k : mmoVars) mmoEnv.put(k, env.get(k));
        ServerConfig config = ServerConfig.withEnvironment(mmoEnv);
        assertThat(config.clusterEnabled()).isTrue();
        assertThat(config.clusterHost()).isEqualTo("10.1.2.3");
        assertThat(config.clusterDiscovery().dnsName()).isEqualTo(at(headless, "metadata", "name") + "." + at(headless, "metadata", "namespace") + ".svc.cluster.local");
        assertThat(ports).containsEntry("cluster", config.clusterPort()).containsEntry("game", config.port())
                .containsEntry("management", config.managementPort())
                .containsEntry("bootstrap", config.clusterDiscovery().bootstrapPort());
        assertThat(list(at(headless, "spec", "ports")).stream().map(p -> map(p).get("targetPort")))
                .contains("cluster", "bootstrap");
        assertThat(config.managementHost()).isEqualTo("0.0.0.0");
        assertRealCommand(list(mmo.get("args")).stream().map(String::valueOf).toList());

        // probes and scraping reach the management endpoints
        assertThat(at(mmo, "readinessProbe", "httpGet", "path")).isEqualTo("/health/ready");
        assertThat(at(mmo, "livenessProbe", "httpGet", "path")).isEqualTo("/health/live");
        assertThat(at(mmo, "readinessProbe", "httpGet", "port")).isEqualTo("management");
        assertThat(at(mmo, "livenessProbe", "httpGet", "port")).isEqualTo("management");
        Map<String, Object> annotations = map(at(nodes, "spec", "template", "metadata", "annotations"));
        assertThat(annotations).containsEntry("prometheus.io/port", String.valueOf(config.managementPort()))
                .containsEntry("prometheus.io/path", "/metrics");

        // the JDBC URL reaches the PostgreSQL Service as the user, database and password it creates
        URI db = URI.create(config.dbUrl().substring("jdbc:".length()));
        assertThat(db.getScheme()).isEqualTo("postgresql");
        assertThat(db.getHost()).isEqualTo("postgres." + at(pgService, "metadata", "namespace") + ".svc.cluster.local");
        assertThat(db.getPort()).isEqualTo(at(map(list(at(pgService, "spec", "ports")).get(0)), "port"));
        Map<String, String> pgEnv = new HashMap<>();
        for (Object o : list(container(pg).get("env"))) {
            Map<String, Object> e = map(o);
            pgEnv.put((String) e.get("name"), e.containsKey("value") ? (String) e.get("value")
                    : stringData.get((String) at(e, "valueFrom", "secretKeyRef", "key")));
        }
        assertThat(db.getPath()).isEqualTo("/" + pgEnv.get("POSTGRES_DB"));
        assertThat(db.getQuery()).isEqualTo("user=" + pgEnv.get("POSTGRES_USER") + "&password=" + pgEnv.get("POSTGRES_PASSWORD"));

        // a graceful stop has time to save everyone and leave the cluster
        assertThat((Integer) at(nodes, "spec", "template", "spec", "terminationGracePeriodSeconds")).isGreaterThanOrEqualTo(30);
    }

    @Test
    void systemdUnitRunsTheJarAsAServiceUser() throws IOException {
        Map<String, Map<String, List<String>>> unit = new LinkedHashMap<>();
        Map<String, List<String>> section = null;
        for (String raw : Files.readAllLines(ROOT.resolve("deploy/systemd/mmo.service"))) {
            String l = raw.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            if (l.startsWith("[")) {
                section = new LinkedHashMap<>();
                unit.put(l.substring(1, l.length() - 1), section);
                continue;
            }
            assertThat(section).as("a line before any section: " + l).isNotNull();
            String[] kv = l.split("=", 2);
            assertThat(kv).as("key=value: " + l).hasSize(2);
            section.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(kv[1]);
        }
        assertThat(unit).containsOnlyKeys("Unit", "Service", "Install");
        Map<String, List<String>> service = unit.get("Service");
        assertThat(service.get("User")).containsExactly("mmo");
        assertThat(service.get("KillSignal")).containsExactly("SIGTERM");
        assertThat(service.get("Restart")).containsExactly("on-failure");
        assertThat(Integer.parseInt(service.get("TimeoutStopSec").get(0))).isGreaterThanOrEqualTo(30);
        List<String> exec = List.of(service.get("ExecStart").get(0).split("\\s+"));
        assertThat(exec.get(0)).startsWith("/");
        int jar = exec.indexOf("-jar");
        assertThat(jar).isPositive();
        assertRealCommand(exec.subList(jar + 2, exec.size()));
        Map<String, String> env = new HashMap<>();
        for (String e : service.get("Environment")) {
            String[] kv = e.split("=", 2);
            env.put(kv[0], kv[1]);
        }
        assertThat(knownVariables()).containsAll(env.keySet());
        ServerConfig.withEnvironment(env); // valid settings
        assertThat(unit.get("Install").get("WantedBy")).containsExactly("multi-user.target");
    }
}
