# The pgdr worker image: `docker build -t pgdr:0.1.0 .` (docker-compose.yml builds it too).
# Build stage: the shaded CLI jar (starter/target/pgdr.jar), tests skipped: CI runs them.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# no BuildKit-only features: the classic builder (docker-compose 1.x) builds this too
RUN mvn -B -ntp -DskipTests -pl starter -am package

# Runtime: a JRE and the PostgreSQL client programs the backup and restore activities run
# (pg_dump, pg_restore; Ubuntu 24.04 ships version 16, which dumps servers up to 16);
# curl for the container health check.
FROM eclipse-temurin:17-jre-noble
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-client curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --gid 0 --home-dir /home/pgdr --create-home pgdr
COPY --from=build /src/starter/target/pgdr.jar /opt/pgdr/pgdr.jar
# `pgdr` on the PATH, as ./pgdr is in a clone; the container's memory limit sizes the heap
RUN printf '#!/bin/sh\nexec java -XX:MaxRAMPercentage=75 ${PGDR_JAVA_OPTS:-} -jar /opt/pgdr/pgdr.jar "$@"\n' > /usr/local/bin/pgdr \
 && chmod 755 /usr/local/bin/pgdr
ENV PGDR_LOG_LEVEL=INFO
USER 10001
WORKDIR /home/pgdr
# /metrics, /healthz, /readyz
EXPOSE 9464
ENTRYPOINT ["pgdr"]
CMD ["worker"]
