#!/usr/bin/env bash
# `postgres.sh` starts a throwaway PostgreSQL server on 127.0.0.1:55432 for
# the CA store's PostgreSQL backend tests and prints the connection URL on
# stdout; `postgres.sh stop` stops it and removes its data. Installs Debian's
# postgresql package when the server binaries are missing. Prints nothing
# (and the tests skip the PostgreSQL backend) when it cannot.
set -u
data=/tmp/confcert-ci-pg
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop() {
  [ -n "$bin" ] && [ -d "$data/db" ] && as_owner "$bin/pg_ctl" -D "$data/db" -m fast stop >&2
  rm -rf "$data"
}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ "${1:-}" = stop ]; then
  stop
  exit 0
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2 || exit 0
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
[ -x "$bin/initdb" ] || exit 0
stop 2>/dev/null
mkdir -p "$data"
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd -r postgres >&2 || exit 0
  chown postgres "$data"
fi
as_owner "$bin/initdb" -D "$data/db" -A trust -U postgres >&2 || exit 0
as_owner "$bin/pg_ctl" -D "$data/db" -o "-p 55432 -k $data -c listen_addresses=127.0.0.1" -l "$data/log" -w start >&2 || exit 0
echo "postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable"
