# Shared shell helpers for VTP Scale's commands. Source it; do not run it.

vtp_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

vtp_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# vtp_require_packages CMD:PACKAGE ...
# Installs the Debian packages whose command (or file path) is missing. As root: apt-get, idempotently.
# Not root: prints the exact install line and fails.
vtp_require_packages() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}
    pkg=${pair#*:}
    if [[ $cmd == /* ]]; then
      compgen -G "$cmd" >/dev/null && continue
    else
      command -v "$cmd" >/dev/null 2>&1 && continue
    fi
    [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]}" >&2
    echo "install them as root, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    return 2
  fi
  vtp_log "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  vtp_log "installed ${missing[*]}"
}

# The packages every test run needs: servers the testkit and the deployment tests start, a JDK, and the headless
# browser and its driver for the web page's browser test (vtp-system-tests WebPageIT).
vtp_require_test_packages() {
  vtp_require_packages \
    javac:openjdk-17-jdk-headless \
    redis-server:redis-server \
    redis-cli:redis-tools \
    '/usr/lib/postgresql/*/bin/initdb:postgresql-15' \
    psql:postgresql-client \
    nginx:nginx \
    curl:curl \
    openssl:openssl \
    setpriv:util-linux \
    promtool:prometheus \
    chromium:chromium \
    chromedriver:chromium-driver
}

# The published modules, comma-separated for Maven's -pl: every io.vtp artifact vtp-bom lists.
vtp_published_modules() {
  sed -n 's|.*<artifactId>\(vtp-[a-z0-9-]*\)</artifactId>.*|\1|p' "$(vtp_root)/vtp-bom/pom.xml" | grep -vx vtp-bom \
    | paste -sd, -
}
