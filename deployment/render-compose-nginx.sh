#!/usr/bin/env bash
# Renders the nginx configuration docker-compose.scaled.yml mounts, from the one template the local deployment
# also uses (deployment/nginx/nginx.conf.template via render.sh):
#
#   deployment/render-compose-nginx.sh [OUT_FILE]     (default: deployment/nginx/nginx.compose.conf)
#
# Run it after changing the template or locations.inc and commit the result; DeploymentManifestsTest fails when
# the committed file differs from a fresh render. Paths are the ones inside the nginx:1.27-alpine container.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/nginx/nginx.compose.conf}

export VTP_BACKENDS="backend1:8080 backend2:8080 backend3:8080"
export VTP_BACKENDS_DOWN=""
export VTP_NGINX_LISTEN_HOST=0.0.0.0
export VTP_NGINX_HTTP_PORT=8080
export VTP_NGINX_TLS=0
export VTP_NGINX_RUN_DIR=/var/cache/nginx
export VTP_NGINX_LOG_DIR=/var/log/nginx
export VTP_STATIC_DIR=/usr/share/nginx/static
export VTP_MIME_TYPES=/etc/nginx/mime.types
# Only the nginx Prometheus exporter (its fixed address on the compose network) may read /nginx_status.
export VTP_NGINX_STATUS_ALLOW=172.28.0.11
# The original platform's edge limits, unchanged.
export VTP_EDGE_LOGIN_RATE=5r/m VTP_EDGE_API_RATE=100r/m
export VTP_EDGE_LOGIN_BURST=5 VTP_EDGE_API_BURST=50 VTP_NGINX_KEEPALIVE=32

"$here/nginx/render.sh" "$out"
