#!/bin/sh
# builder-web upload hook: publishes each uploaded .deb and .pkg with repogen (other uploads are
# skipped). Copy this file into builder-web's upload-hooks/ folder and make it executable:
#   Debian:  install -m 755 repogen.sh /etc/builder-web/upload-hooks/repogen.sh
#   FreeBSD: install -m 755 repogen.sh /usr/local/etc/builder-web/upload-hooks/repogen.sh
# builder-web runs it in the background after every upload as
#   repogen.sh --build-time=... --sha256=... --job=... --uuid=... --platform=... --cache-dir=...
#              --data-dir=... --main-binary-filepath=bin/NAME.deb DATADIR/_artifacts/AB/SHA256
# and several may run at once: repogen publishes them together, and hands them to "repogen watch"
# when it runs. The one line it prints says what became of the build.
set -eu

case "$(uname -s)" in
  FreeBSD) default_config=/usr/local/etc/repogen/repogen.toml; default_bin=/usr/local/bin/repogen ;;
  *) default_config=/etc/repogen/repogen.toml; default_bin=/usr/bin/repogen ;;
esac
REPOGEN=${REPOGEN:-$default_bin}
REPOGEN_CONFIG=${REPOGEN_CONFIG:-$default_config}

# Where builder-web does not keep hook output, send it to syslog as well.
if [ -n "${REPOGEN_SYSLOG:-}" ] && command -v logger >/dev/null 2>&1; then
  status_file=$(mktemp)
  { "$REPOGEN" hook --config "$REPOGEN_CONFIG" "$@" 2>&1; echo $? >"$status_file"; } | logger -t repogen-hook
  status=$(cat "$status_file"); rm -f "$status_file"
  exit "$status"
fi
exec "$REPOGEN" hook --config "$REPOGEN_CONFIG" "$@"
