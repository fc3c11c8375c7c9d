#!/usr/bin/env bash
# Start a replicated PostgreSQL set on loopback ports, run the given command against it, then stop
# everything and remove its files. Debian's packages only (installed when missing):
#   etcd            one node, client 127.0.0.1:23790, peer :23800 (Patroni's store of who leads)
#   Patroni node1   PostgreSQL on :25432, REST API on :28008
#   Patroni node2   PostgreSQL on :25433, REST API on :28009
#   PgBouncer rw    :26432 -> the current leader   (DATABASE_URL)
#   PgBouncer ro    :26433 -> the synchronous standby (DATABASE_REPLICA_URL)
# Synchronous replication (synchronous_mode, not strict: the primary carries on alone when the
# standby is gone), ttl 10 s, loop_wait 2 s, retry_timeout 5 s, and primary_start_timeout 0: a
# crashed primary fails over to the standby instead of being restarted in place. Patroni's
# on_role_change callback points both PgBouncers at the new roles and reloads them.
# PgBouncer runs in session pooling: Django keeps server-side cursors (.iterator()), session
# settings and prepared statements per connection, which transaction pooling would break.
# Usage: scripts/with-ha-postgres.sh <command ...>
# Exports DATABASE_URL, DATABASE_REPLICA_URL, BIANMIN_HA_DIR, BIANMIN_HA_PATRONI (the REST URLs
# of the Patroni nodes, space-separated) and BIANMIN_HA_PASSWORD to the command.
set -euo pipefail

base=${BIANMIN_HA_PORT_BASE:-0}
etcd_port=$((23790 + base)) etcd_peer=$((23800 + base))
pg_ports=($((25432 + base)) $((25433 + base)))
api_ports=($((28008 + base)) $((28009 + base)))
rw_port=$((26432 + base)) ro_port=$((26433 + base))
password=${BIANMIN_HA_PASSWORD:-bianmin-ha-test}

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
missing=""
[ -n "$pgbin" ] || missing="$missing postgresql"
command -v etcd >/dev/null || missing="$missing etcd-server"
command -v patroni >/dev/null || missing="$missing patroni"
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing="$missing pgbouncer"
if [ -n "$missing" ]; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
pgbouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)

dir=$(mktemp -d /tmp/bianmin-ha.XXXXXX)
chmod 755 "$dir"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root, PgBouncer too: everything runs as Debian's postgres user,
  # so that Patroni's callback may signal PgBouncer. setpriv execs in place (runuser would stay
  # as a parent that does not pass SIGTERM on), so $! is the server's own pid.
  chown postgres "$dir"
  as_pg=(env HOME="$dir" setpriv --reuid=postgres --regid=postgres --init-groups --)
fi
run_pg() { "${as_pg[@]}" "$@"; }
# The set's processes start in its own directory: Patroni's worker processes change into the
# directory they were started from, and a checkout under another user's private directory (a CI
# clone in a mode-700 mktemp directory) is closed to the postgres user: bootstrap then hangs.
# The command itself runs where it was called from.
caller=$PWD
cd "$dir"

pids=()
# A daemon (PgBouncer) is reparented; where no init reaps it, it stays a zombie after exiting.
alive() {
  local stat
  stat=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${stat#Z}" = "$stat" ]
}
stop() {
  set +e
  # Last started first: PgBouncers, then the Patroni nodes (which stop their servers), etcd last.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null
    for _ in $(seq 100); do alive "${pids[$i]}" || break; sleep 0.2; done
    kill -KILL "${pids[$i]}" 2>/dev/null
  done
  # A postmaster whose Patroni was killed hard stays up: stop it by its pid file.
  for n in node1 node2; do
    [ -f "$dir/$n/postmaster.pid" ] && run_pg "$pgbin/pg_ctl" -D "$dir/$n" -m immediate -w stop >/dev/null 2>&1
  done
  [ -n "${BIANMIN_HA_KEEP:-}" ] || rm -rf "$dir"
}
trap stop EXIT

write_file() { # path mode <content on stdin>
  cat >"$1"
  chmod "$2" "$1"
  [ "${#as_pg[@]}" = 0 ] || chown postgres "$1"
}

# PgBouncer: one ini per direction, each pointing every database name at one node.
write_file "$dir/userlist.txt" 600 <<EOF
"bianmin" "$password"
EOF
for side in rw ro; do
  port_var=${side}_port
  write_file "$dir/pgbouncer-$side.ini" 600 <<EOF
[databases]
* = host=127.0.0.1 port=${pg_ports[0]}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${!port_var}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = session
max_client_conn = 400
default_pool_size = 100
server_connect_timeout = 3
server_login_retry = 1
pidfile = $dir/pgbouncer-$side.pid
logfile = $dir/pgbouncer-$side.log
admin_users = bianmin
EOF
done

# Patroni's callback: on the node that became (or started as) leader, rw -> this node and
# ro -> the other node; then PgBouncer reloads its [databases] (SIGHUP). Arguments from Patroni:
# action role scope, after the two ports given in the configuration.
write_file "$dir/on-role-change.sh" 755 <<EOF
#!/bin/sh
own=\$1 other=\$2 role=\$4
case "\$role" in master|primary) ;; *) exit 0 ;; esac
for pair in "rw \$own" "ro \$other"; do
  set -- \$pair
  sed -i "s/^\* = host=127.0.0.1 port=[0-9]*/* = host=127.0.0.1 port=\$2/" "$dir/pgbouncer-\$1.ini"
  [ -f "$dir/pgbouncer-\$1.pid" ] && kill -HUP "\$(cat "$dir/pgbouncer-\$1.pid")"
done
echo "\$(date +%s.%N) \$role on port \$own" >>"$dir/role-changes.log"
exit 0
EOF

write_file "$dir/post-bootstrap.sh" 755 <<EOF
#!/bin/sh
set -e
psql "\$1" -q -c "CREATE ROLE bianmin LOGIN CREATEDB PASSWORD '$password'" \
  -c "CREATE DATABASE bianmin OWNER bianmin"
EOF

for i in 0 1; do
  n=node$((i + 1)) other=$((1 - i))
  write_file "$dir/$n.yml" 600 <<EOF
scope: bianmin-ha
name: $n
log:
  level: INFO
  dir: $dir/$n-log
restapi:
  listen: 127.0.0.1:${api_ports[$i]}
  connect_address: 127.0.0.1:${api_ports[$i]}
etcd3:
  hosts: 127.0.0.1:$etcd_port
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    primary_start_timeout: 0
    synchronous_mode: true
    synchronous_mode_strict: false
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_connections: 200
        max_wal_senders: 5
        max_replication_slots: 5
        hot_standby_feedback: "on"
  initdb:
  - encoding: UTF8
  - locale: C.UTF-8
  pg_hba:
  - local all all trust
  - host replication replicator 127.0.0.1/32 scram-sha-256
  - host all all 127.0.0.1/32 scram-sha-256
  post_bootstrap: $dir/post-bootstrap.sh
postgresql:
  listen: 127.0.0.1:${pg_ports[$i]}
  connect_address: 127.0.0.1:${pg_ports[$i]}
  data_dir: $dir/$n
  bin_dir: $pgbin
  pgpass: $dir/$n.pgpass
  authentication:
    superuser: {username: postgres, password: "$password"}
    replication: {username: replicator, password: "$password"}
    rewind: {username: postgres, password: "$password"}
  parameters:
    unix_socket_directories: $dir
  basebackup:
  - checkpoint: fast
  callbacks:
    on_start: $dir/on-role-change.sh ${pg_ports[$i]} ${pg_ports[$other]}
    on_role_change: $dir/on-role-change.sh ${pg_ports[$i]} ${pg_ports[$other]}
EOF
  run_pg mkdir -p "$dir/$n-log"
done

"${as_pg[@]}" etcd --name ha --data-dir "$dir/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "ha=http://127.0.0.1:$etcd_peer" --initial-cluster-state new \
  >"$dir/etcd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$etcd_port/health" >/dev/null 2>&1 && break
  sleep 0.2
done

# node1 first, so that it bootstraps and node2 clones from it.
"${as_pg[@]}" patroni "$dir/node1.yml" >"$dir/node1.out" 2>&1 &
pids+=($!)
wait_for() { # seconds description python-condition-on-cluster-json
  local deadline=$((SECONDS + $1))
  until /usr/bin/python3 - "${api_ports[0]}" "${api_ports[1]}" "$3" <<'PY' 2>/dev/null; do
import json, sys, urllib.request
for port in sys.argv[1:3]:
    try:
        members = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/cluster", timeout=2))["members"]
        break
    except OSError:
        continue
else:
    sys.exit(1)
sys.exit(0 if eval(sys.argv[3]) else 1)
PY
    if [ $SECONDS -ge "$deadline" ]; then
      echo "replicated PostgreSQL: timed out waiting for $2 (logs kept in $dir)" >&2
      BIANMIN_HA_KEEP=1
      exit 1
    fi
    sleep 0.5
  done
}
wait_for 90 "the leader" 'any(m["role"] == "leader" and m["state"] == "running" for m in members)'
"${as_pg[@]}" patroni "$dir/node2.yml" >"$dir/node2.out" 2>&1 &
pids+=($!)
wait_for 120 "the synchronous standby" 'any(m["role"] == "sync_standby" and m["state"] in ("running", "streaming") for m in members)'

# The callback has pointed the inis at the roles by now; start the two PgBouncers on them.
for side in rw ro; do
  run_pg "$pgbouncer" -d "$dir/pgbouncer-$side.ini" >/dev/null
  for _ in $(seq 50); do [ -s "$dir/pgbouncer-$side.pid" ] && break; sleep 0.1; done
done
pids+=("$(cat "$dir/pgbouncer-rw.pid")" "$(cat "$dir/pgbouncer-ro.pid")")

echo "replicated PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'): leader and sync standby on" \
  "127.0.0.1:${pg_ports[0]},${pg_ports[1]}; PgBouncer rw :$rw_port ro :$ro_port; etcd :$etcd_port; files in $dir"
export DATABASE_URL="postgres://bianmin:$password@127.0.0.1:$rw_port/bianmin"
export DATABASE_REPLICA_URL="postgres://bianmin:$password@127.0.0.1:$ro_port/bianmin"
export BIANMIN_HA_DIR="$dir"
# The superuser's password (user postgres on the nodes' own ports), for tests that pause replay.
export BIANMIN_HA_PASSWORD="$password"
export BIANMIN_HA_PATRONI="http://127.0.0.1:${api_ports[0]} http://127.0.0.1:${api_ports[1]}"
cd "$caller"
"$@"
