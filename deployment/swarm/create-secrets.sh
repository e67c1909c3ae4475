#!/usr/bin/env bash
# Creates the six Swarm secrets vtp-stack.yml expects (external: true), from freshly generated values, on a manager:
#
#   deployment/swarm/create-secrets.sh
#
# The backends read whole values from files (JWT_SECRET_FILE, DATABASE_URL_FILE, REDIS_URL_FILE,
# REDIS_CACHE_URL_FILE); PostgreSQL and both Redis servers read the bare passwords. A password therefore sits in
# two secrets (vtp_postgres_password and vtp_database_url; vtp_redis_password and both Redis URLs): this script
# writes each pair from one generated value so they always match. Passwords are hex, so they are URL-safe.
# Nothing is printed but the secrets' names; values go to `docker secret create` on standard input, never on a
# command line. It refuses to run when one of the secrets exists already (rotate with new names instead, see
# README.md), so it never leaves a half-made set.
set -euo pipefail
names=(vtp_jwt_secret vtp_postgres_password vtp_database_url vtp_redis_password vtp_redis_url vtp_redis_cache_url)
for n in "${names[@]}"; do
  if docker secret inspect "$n" >/dev/null 2>&1; then
    echo "create-secrets.sh: the Swarm secret $n exists already; remove the stack's secrets first or rotate them" \
      "(deployment/swarm/README.md)" >&2
    exit 1
  fi
done
command -v openssl >/dev/null || { echo "create-secrets.sh: needs openssl (apt-get install openssl)" >&2; exit 1; }

jwt=$(openssl rand -base64 48)
postgres=$(openssl rand -hex 24)
redis=$(openssl rand -hex 24)

create() { # NAME VALUE
  printf '%s' "$2" | docker secret create "$1" - >/dev/null
  echo "created secret $1"
}
create vtp_jwt_secret "$jwt"
create vtp_postgres_password "$postgres"
# Plain text to PostgreSQL, but only over the encrypted overlay network 'data' (vtp-stack.yml); the stack sets
# DATABASE_ALLOW_PLAINTEXT=true for that reason.
create vtp_database_url "postgresql://vtp:${postgres}@postgres:5432/vtp?sslmode=disable"
create vtp_redis_password "$redis"
create vtp_redis_url "redis://vtp:${redis}@redis:6379"
create vtp_redis_cache_url "redis://vtp:${redis}@redis-cache:6379"
