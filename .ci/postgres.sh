#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on 127.0.0.1:55432 for the CA store's
# PostgreSQL backend tests and prints the connection URL on stdout. Installs
# Debian's postgresql package when the server binaries are missing. Prints
# nothing (and the tests skip the PostgreSQL backend) when it cannot.
set -u
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2 || exit 0
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
[ -x "$bin/initdb" ] || exit 0
data=$(mktemp -d /tmp/confcert-pg.XXXXXX)
run=(env)
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd -r postgres >&2 || exit 0
  chown postgres "$data"
  run=(runuser -u postgres --)
fi
"${run[@]}" "$bin/initdb" -D "$data/db" -A trust -U postgres >&2 || exit 0
"${run[@]}" "$bin/pg_ctl" -D "$data/db" -o "-p 55432 -k $data -c listen_addresses=127.0.0.1" -l "$data/log" -w start >&2 || exit 0
echo "postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable"
