#!/usr/bin/env bash
# Makes a self-signed certificate for local TLS (deployment/ssl/vtp.crt and vtp.key, valid 365 days, for
# localhost and 127.0.0.1). Never use it beyond this machine; the key is git-ignored.
set -euo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -f "$dir/vtp.crt" ] && [ "${1:-}" != --force ]; then
  echo "certificate exists: $dir/vtp.crt (--force to replace)"
  exit 0
fi
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$dir/vtp.key" -out "$dir/vtp.crt" 2>/dev/null
chmod 644 "$dir/vtp.crt"
echo "wrote $dir/vtp.crt and $dir/vtp.key"
