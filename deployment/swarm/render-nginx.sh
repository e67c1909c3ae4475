#!/usr/bin/env bash
# Renders the nginx configuration vtp-stack.yml gives nginx (as the Swarm config nginx_conf), from the one template
# the local deployment and compose also use (deployment/nginx/nginx.conf.template via render.sh):
#
#   deployment/swarm/render-nginx.sh [OUT_FILE]     (default: deployment/swarm/nginx.swarm.conf)
#
# The backends are Swarm's DNS name tasks.vtp-backend (one A record per running, healthy task), re-resolved through
# Docker's embedded DNS server (127.0.0.11) every 5 s while nginx runs (`resolve`, nginx >= 1.27.3): scaling and
# rolling updates change the upstream without a reload. Run it after changing the template or locations.inc and
# commit the result; DeploymentManifestsTest fails when the committed file differs from a fresh render. Paths are
# the ones inside the nginx alpine image.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/nginx.swarm.conf}

export VTP_BACKENDS="tasks.vtp-backend:8080"
export VTP_BACKENDS_DOWN=""
export VTP_NGINX_RESOLVER="127.0.0.11 valid=5s ipv6=off"
export VTP_NGINX_LISTEN_HOST=0.0.0.0
export VTP_NGINX_HTTP_PORT=8080
export VTP_NGINX_TLS=0
export VTP_NGINX_RUN_DIR=/var/cache/nginx
export VTP_NGINX_LOG_DIR=/var/log/nginx
export VTP_STATIC_DIR=/usr/share/nginx/static
export VTP_MIME_TYPES=/etc/nginx/mime.types
export VTP_NGINX_STATUS_ALLOW=""
# The original platform's edge limits, unchanged.
export VTP_EDGE_LOGIN_RATE=5r/m VTP_EDGE_API_RATE=100r/m
export VTP_EDGE_LOGIN_BURST=5 VTP_EDGE_API_BURST=50 VTP_NGINX_KEEPALIVE=32

"$here/../nginx/render.sh" "$out"
