#!/usr/bin/env bash
# Interop against real proxies from Debian's packages: tinyproxy (HTTP; without and with
# BasicAuth), microsocks (SOCKS5; without and with -u/-P) and dante (SOCKS4/4a/5; without
# auth, and with the SOCKS5 `username` method against a throwaway system account).
#
# Installs them when missing (apt-get; needs root), writes configs that listen on 127.0.0.1
# only, on free ports, starts them, runs `cargo test --test interop_proxies` with their
# addresses in HIP_INTEROP_* variables, and stops them (and removes the account) on exit.
#
#   bash tests/interop/run.sh            # all of it
#   HIP_INTEROP_KEEP=1 ...               # leave the work directory (configs, logs) behind
#
# Extra arguments are passed to the test binary (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf 'interop: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}

# --- install ---------------------------------------------------------------------------
need=()
command -v tinyproxy >/dev/null 2>&1 || need+=(tinyproxy)
command -v microsocks >/dev/null 2>&1 || need+=(microsocks)
[ -x /usr/sbin/danted ] || command -v danted >/dev/null 2>&1 || need+=(dante-server)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
DANTED=$(command -v danted || echo /usr/sbin/danted)

# --- work directory, ports, cleanup ----------------------------------------------------
work=$(mktemp -d /tmp/hip-interop.XXXXXX)
chmod 755 "$work"
pids=()
throwaway_user=""

cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$throwaway_user" ]; then
    as_root userdel "$throwaway_user" 2>/dev/null || true
  fi
  if [ "$status" != 0 ] || [ -n "${HIP_INTEROP_KEEP:-}" ]; then
    log "configs and logs kept in $work"
    for f in "$work"/*.log; do
      [ -s "$f" ] && { log "--- $f (last lines)"; tail -n 20 "$f" >&2; }
    done
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT INT TERM

# A port nobody listens on right now (the kernel's choice for a socket bound to port 0).
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  else
    local p
    while :; do
      p=$(shuf -i 20000-60999 -n 1)
      ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
    done
  fi
}

# Waits (at most ~10 s) until something accepts on 127.0.0.1:$1.
wait_port() {
  local i
  for i in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  log "nothing listens on 127.0.0.1:$1 ($2 did not start)"
  return 1
}

start() { # name, command...
  local name=$1; shift
  "$@" >"$work/$name.out" 2>&1 &
  pids+=($!)
}

# Unprivileged account the daemons drop to.
run_user=nobody
run_group=$(id -gn nobody 2>/dev/null || echo nogroup)

# --- tinyproxy ------------------------------------------------------------------------
tinyproxy_conf() { # port, extra lines
  cat <<EOF
Port $1
Listen 127.0.0.1
Timeout 30
MaxClients 50
Allow 127.0.0.1
LogLevel Info
$( [ "$(id -u)" = 0 ] && printf 'User %s\nGroup %s\n' "$run_user" "$run_group" )
$2
EOF
}
tp_port=$(free_port)
tinyproxy_conf "$tp_port" "" >"$work/tinyproxy.conf"
start tinyproxy tinyproxy -d -c "$work/tinyproxy.conf"
wait_port "$tp_port" tinyproxy

tp_user=hipuser
tp_pass="tp-$RANDOM$RANDOM"
tpa_port=$(free_port)
tinyproxy_conf "$tpa_port" "BasicAuth $tp_user $tp_pass" >"$work/tinyproxy-auth.conf"
start tinyproxy-auth tinyproxy -d -c "$work/tinyproxy-auth.conf"
wait_port "$tpa_port" "tinyproxy (BasicAuth)"

# --- microsocks -----------------------------------------------------------------------
ms_port=$(free_port)
start microsocks microsocks -i 127.0.0.1 -p "$ms_port"
wait_port "$ms_port" microsocks

ms_user=hipuser
ms_pass="ms-$RANDOM$RANDOM"
msa_port=$(free_port)
start microsocks-auth microsocks -i 127.0.0.1 -p "$msa_port" -u "$ms_user" -P "$ms_pass"
wait_port "$msa_port" "microsocks (-u/-P)"

# --- dante ------------------------------------------------------------------------------
dante_conf() { # port, socksmethod
  cat <<EOF
logoutput: $work/$3.log
internal: 127.0.0.1 port = $1
external: 127.0.0.1
clientmethod: none
socksmethod: $2
user.privileged: root
user.unprivileged: $run_user
client pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
}
socks pass {
  from: 127.0.0.0/8 to: 127.0.0.0/8
  command: connect
  protocol: tcp
}
EOF
}
dante_port=$(free_port)
dante_conf "$dante_port" none danted >"$work/danted.conf"
start danted "$DANTED" -f "$work/danted.conf" -p "$work/danted.pid" -N 1
wait_port "$dante_port" danted

dante_auth=""
if [ "$(id -u)" = 0 ] && command -v useradd >/dev/null 2>&1; then
  # dante's `username` method checks system accounts: make a throwaway one.
  throwaway_user="hipint$RANDOM"
  dante_pass="dt-$RANDOM$RANDOM"
  useradd --no-create-home --shell /usr/sbin/nologin "$throwaway_user"
  echo "$throwaway_user:$dante_pass" | chpasswd
  dantea_port=$(free_port)
  dante_conf "$dantea_port" username danted-auth >"$work/danted-auth.conf"
  start danted-auth "$DANTED" -f "$work/danted-auth.conf" -p "$work/danted-auth.pid" -N 1
  wait_port "$dantea_port" "danted (username)"
  dante_auth="$throwaway_user:$dante_pass@127.0.0.1:$dantea_port"
else
  log "not root: dante's username method (system accounts) is not tested"
fi

# --- the tests -----------------------------------------------------------------------------
export HIP_INTEROP_TINYPROXY="127.0.0.1:$tp_port"
export HIP_INTEROP_TINYPROXY_AUTH="$tp_user:$tp_pass@127.0.0.1:$tpa_port"
export HIP_INTEROP_MICROSOCKS="127.0.0.1:$ms_port"
export HIP_INTEROP_MICROSOCKS_AUTH="$ms_user:$ms_pass@127.0.0.1:$msa_port"
export HIP_INTEROP_DANTE="127.0.0.1:$dante_port"
export HIP_INTEROP_DANTE_AUTH="$dante_auth"
log "tinyproxy :$tp_port (auth :$tpa_port), microsocks :$ms_port (auth :$msa_port), dante :$dante_port${dante_auth:+ (auth :${dante_auth##*:})}"

cargo test --features socks --test interop_proxies -- "$@"
