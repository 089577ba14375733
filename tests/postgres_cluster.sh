#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: made in a new folder, listening only on a
# Unix socket there, run as the `postgres` user when started by root (the server refuses to
# run as root), stopped and removed when the command given ends, whatever its outcome.
#
#   tests/postgres_cluster.sh COMMAND [ARG...]
#
# runs COMMAND with THIDUA_TEST_POSTGRES set to the cluster's connection string. Debian's
# server (package postgresql) is installed first when missing and this runs as root.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing postgresql"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    # Debian's package starts a cluster of its own on port 5432: ours needs none of it
    if command -v pg_ctlcluster >/dev/null; then
      for conf in /etc/postgresql/*/main; do
        [ -d "$conf" ] && pg_ctlcluster "$(basename "$(dirname "$conf")")" main stop 2>/dev/null || true
      done
    fi
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  else
    echo "PostgreSQL's server is missing: install Debian's postgresql package, or run as root" >&2
    exit 1
  fi
fi

dir=$(mktemp -d /tmp/thidua-pg.XXXXXX)
as_owner() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  as_owner() { runuser -u postgres -- "$@"; }
fi
stop() {
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
  --locale=C.UTF-8 >/dev/null
# Durability is not what the tests check: no fsync, so a database per test is made quickly.
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
  "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off \
   -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null

export THIDUA_TEST_POSTGRES="postgresql://postgres@/postgres?host=$dir"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') for the tests in $dir"
"$@"
