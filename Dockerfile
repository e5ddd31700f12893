# syntax=docker/dockerfile:1
# The server's container image: one runnable jar on a JRE 21.
#
#   docker build -t mmo .
#   docker run -p 8080:8080 -v mmo-data:/var/lib/mmo/data mmo          # embedded SQLite, play at http://localhost:8080
#   docker run -p 8080:8080 -e MMO_DB_URL='jdbc:postgresql://db:5432/mmo?user=mmo&password=...' mmo
#
# Settings are MMO_* environment variables (server/src/main/resources/reference.conf lists them);
# JVM options go in JAVA_TOOL_OPTIONS. deploy/k8s runs it as a cluster on Kubernetes.

# --- build: JDK 21 + Maven + Node.js 20 (the browser client is built by the Maven build) ---
FROM node:20-bookworm AS build
COPY --from=eclipse-temurin:21-jdk /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends maven && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# dependencies first, so a source change does not download them again
COPY pom.xml ./
COPY protocol/pom.xml protocol/
COPY server/pom.xml server/
COPY client/pom.xml client/
COPY web/pom.xml web/package.json web/package-lock.json web/
COPY app/pom.xml app/
COPY jmh/pom.xml jmh/
RUN cd web && npm ci
COPY . .
RUN mvn -B -q -DskipTests package -pl app -am

# --- run: the jar on a JRE, as an unprivileged user ---
FROM eclipse-temurin:21-jre
RUN groupadd --system mmo && useradd --system --gid mmo --home-dir /var/lib/mmo mmo \
    && mkdir -p /var/lib/mmo/data && chown -R mmo:mmo /var/lib/mmo
COPY --from=build /src/app/target/mmo.jar /opt/mmo/mmo.jar
USER mmo
WORKDIR /var/lib/mmo
# the embedded database (jdbc:sqlite:data/mmo.db) lives here; unused with PostgreSQL
VOLUME /var/lib/mmo/data
# the game (http + WebSocket), the management port (metrics, health: bound to all addresses
# here so probes and Prometheus reach it; do not publish it to players), Pekko cluster (Artery TCP)
ENV MMO_MANAGEMENT_HOST=0.0.0.0
EXPOSE 8080 8081 25520 7626
# G1 with a heap of 75% of the container's memory limit (docs/SECURITY.md explains the choice);
# a short DNS cache so cluster discovery sees new nodes soon
ENTRYPOINT ["java", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=50", "-XX:MaxRAMPercentage=75", "-Dsun.net.inetaddr.ttl=5", "-jar", "/opt/mmo/mmo.jar"]
CMD ["serve"]
