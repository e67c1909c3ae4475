# syntax=docker/dockerfile:1
# VTP Scale reference backend (vtp-app) as a container image.
#
#   docker build -t vtp-app .
#   docker run -e APP_ENV=production -e DATABASE_URL=... -e REDIS_URL=... -e JWT_SECRET=... -p 8080:8080 vtp-app
#
# Stage 1 builds the runnable jar with the Maven wrapper exactly as a developer does; stage 2 is a JRE 17 runtime
# running as an unprivileged user. Checked statically by vtp-system-tests DeploymentManifestsTest.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# The whole reactor: Maven reads every module's pom even when building one module (.dockerignore keeps target/,
# .git and local state out of the context).
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    sh ./mvnw -B -ntp -DskipTests -DskipITs -Dmaven.javadoc.skip -Dmaven.source.skip package -pl vtp-app -am \
    && cp vtp-app/target/vtp-app.jar /vtp-app.jar

FROM eclipse-temurin:17-jre
# A fixed numeric uid/gid, so Kubernetes' runAsNonRoot can verify it and volumes can be prepared for it.
RUN groupadd --system --gid 10001 vtp \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin vtp
WORKDIR /app
COPY --from=build --chown=10001:10001 /vtp-app.jar /app/vtp-app.jar
USER 10001:10001

# The app's own defaults (see AppConfig); DATABASE_URL, REDIS_URL and JWT_SECRET come from the deployment.
ENV PORT=8080 \
    MANAGEMENT_PORT=9464 \
    HOST=0.0.0.0 \
    APP_ENV=production \
    LOG_FORMAT=json \
    JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"
# 8080: the public API (put it behind the proxy); 9464: /metrics and detailed health for Prometheus only (never
# publish it, never route a proxy to it).
EXPOSE 8080 9464

# The JRE image promises no curl or wget: the probe is a class in the app's jar (io.vtp.app.HealthProbe) that GETs
# http://127.0.0.1:$PORT/health/ready with a 2 s budget and exits 0 or 1. Its own JVM is kept small; flags on the
# command line win over JDK_JAVA_OPTIONS.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["java", "-Xmx32m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", "/app/vtp-app.jar", "io.vtp.app.HealthProbe"]

# Exec form: java is PID 1 and gets SIGTERM directly, which starts the app's drain (readiness 503, DRAIN_DELAY,
# then in-flight requests finish within SHUTDOWN_TIMEOUT).
ENTRYPOINT ["java", "-jar", "/app/vtp-app.jar"]
