#!/usr/bin/env bash
# Renders deployment/nginx/nginx.conf.template into a complete nginx main configuration.
#
#   render.sh OUT_FILE
#
# Settings (environment):
#   VTP_BACKENDS          space-separated host:port of the backends (required)
#   VTP_BACKENDS_DOWN     backends to mark `down` (rolling restarts, scaling)
#   VTP_NGINX_LISTEN_HOST address to listen on (127.0.0.1; compose: 0.0.0.0)
#   VTP_NGINX_HTTP_PORT   8080
#   VTP_NGINX_TLS         1 to serve HTTPS on VTP_NGINX_TLS_PORT (8443) and redirect HTTP to it
#   VTP_SSL_DIR           where vtp.crt and vtp.key are (deployment/ssl)
#   VTP_NGINX_RUN_DIR     pid and temp files;  VTP_NGINX_LOG_DIR  logs
#   VTP_STATIC_DIR        files served under /static/
#   VTP_MIME_TYPES        /etc/nginx/mime.types
#   VTP_EDGE_LOGIN_RATE 5r/m, VTP_EDGE_API_RATE 100r/m (the original's edge limits),
#   VTP_EDGE_LOGIN_BURST 5, VTP_EDGE_API_BURST 50, VTP_NGINX_KEEPALIVE 32
#   VTP_NGINX_STATUS_ALLOW  extra CIDR allowed to read /nginx_status (compose: the exporter's network)
#   VTP_NGINX_RESOLVER    a DNS server and its options: backend names are re-resolved while nginx runs (each
#                         server gets `resolve`, the upstream this resolver; needs nginx >= 1.27.3). Docker Swarm:
#                         "127.0.0.11 valid=5s ipv6=off" with VTP_BACKENDS=tasks.vtp-backend:8080
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: render.sh OUT_FILE}
: "${VTP_BACKENDS:?VTP_BACKENDS must list the backends (host:port ...)}"

listen_host=${VTP_NGINX_LISTEN_HOST:-127.0.0.1}
http_port=${VTP_NGINX_HTTP_PORT:-8080}
tls=${VTP_NGINX_TLS:-0}
tls_port=${VTP_NGINX_TLS_PORT:-8443}
ssl_dir=${VTP_SSL_DIR:-$here/../ssl}
run_dir=${VTP_NGINX_RUN_DIR:-/tmp/vtp-nginx}
log_dir=${VTP_NGINX_LOG_DIR:-$run_dir}
static_dir=${VTP_STATIC_DIR:-$here/../static}
mime_types=${VTP_MIME_TYPES:-/etc/nginx/mime.types}

servers() { # $1: extra parameters per server
  local b resolve=""
  if [ -n "${VTP_NGINX_RESOLVER:-}" ]; then
    printf '    resolver %s;\n' "$VTP_NGINX_RESOLVER"
    resolve=" resolve"
  fi
  for b in $VTP_BACKENDS; do
    if [[ " ${VTP_BACKENDS_DOWN:-} " == *" $b "* ]]; then
      printf '    server %s%s %s down;\n' "$b" "$resolve" "$1"
    else
      printf '    server %s%s %s;\n' "$b" "$resolve" "$1"
    fi
  done
}

security_headers='    add_header X-Content-Type-Options "nosniff" always;
    add_header X-Frame-Options "DENY" always;
    add_header Referrer-Policy "no-referrer" always;
    add_header Content-Security-Policy "default-src '\''none'\''; frame-ancestors '\''none'\''" always;'
# The web page (/ and /app/, served by the backends from their jar) is the one place scripts, styles, images and
# connections (fetch, the room WebSocket) may come from: this origin only, never inline, never framed. The same
# policy as the app's own (io.vtp.app.web.WebPage), which nginx replaces rather than doubles.
page_security_headers='      proxy_hide_header Content-Security-Policy;
      proxy_hide_header X-Content-Type-Options;
      proxy_hide_header X-Frame-Options;
      proxy_hide_header Referrer-Policy;
      add_header X-Content-Type-Options "nosniff" always;
      add_header X-Frame-Options "DENY" always;
      add_header Referrer-Policy "no-referrer" always;
      add_header Content-Security-Policy "default-src '\''none'\''; script-src '\''self'\''; style-src '\''self'\''; img-src '\''self'\''; connect-src '\''self'\''; base-uri '\''none'\''; form-action '\''none'\''; frame-ancestors '\''none'\''" always;'
# Over TLS every answer carries HSTS, also those of locations with their own add_header (/static/, the page), which
# would otherwise drop the server-level one.
if [ "$tls" = 1 ]; then
  security_headers="$security_headers
    add_header Strict-Transport-Security \"max-age=63072000\" always;"
  page_security_headers="$page_security_headers
      add_header Strict-Transport-Security \"max-age=63072000\" always;"
fi
status_allow=""
[ -n "${VTP_NGINX_STATUS_ALLOW:-}" ] && status_allow="allow ${VTP_NGINX_STATUS_ALLOW};"

# Expands @@NAME@@ placeholders: a line holding only a placeholder becomes the (multi-line) value.
expand() {
  local line key
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^[[:space:]]*@@([A-Z_]+)@@[[:space:]]*$ ]]; then
      key=${BASH_REMATCH[1]}
      printf '%s\n' "${!key}"
      continue
    fi
    while [[ $line =~ @@([A-Z_]+)@@ ]]; do
      key=${BASH_REMATCH[1]}
      line=${line//@@${key}@@/${!key}}
    done
    printf '%s\n' "$line"
  done
}

RUN_DIR=$run_dir
LOG_DIR=$log_dir
MIME_TYPES=$mime_types
STATIC_DIR=$static_dir
LOGIN_RATE=${VTP_EDGE_LOGIN_RATE:-5r/m}
API_RATE=${VTP_EDGE_API_RATE:-100r/m}
LOGIN_BURST=${VTP_EDGE_LOGIN_BURST:-5}
API_BURST=${VTP_EDGE_API_BURST:-50}
KEEPALIVE=${VTP_NGINX_KEEPALIVE:-32}
API_SERVERS=$(servers "max_fails=3 fail_timeout=30s")
WS_SERVERS=$(servers "max_fails=3 fail_timeout=30s")
SECURITY_HEADERS=$security_headers
PAGE_SECURITY_HEADERS=$page_security_headers
STATUS_ALLOW=$status_allow
LOCATIONS=$(expand < "$here/locations.inc")

if [ "$tls" = 1 ]; then
  SERVERS="  # Plain HTTP only redirects to HTTPS (health stays reachable for local probes).
  server {
    listen ${listen_host}:${http_port} default_server;
    server_name _;
    location /health { proxy_pass http://vtp_api; }
    location / { return 301 https://\$host:${tls_port}\$request_uri; }
  }

  server {
    listen ${listen_host}:${tls_port} ssl http2 default_server;
    server_name _;
    ssl_certificate ${ssl_dir}/vtp.crt;
    ssl_certificate_key ${ssl_dir}/vtp.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    # Mozilla's intermediate profile: forward-secret AEAD suites only for TLS 1.2 (TLS 1.3 suites are all modern).
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:SSL:10m;
    ssl_session_timeout 1d;
    ssl_session_tickets off;
${LOCATIONS}
  }"
else
  SERVERS="  server {
    listen ${listen_host}:${http_port} default_server;
    server_name _;
${LOCATIONS}
  }"
fi

mkdir -p "$(dirname "$out")"
expand < "$here/nginx.conf.template" > "$out.tmp"
mv "$out.tmp" "$out"
