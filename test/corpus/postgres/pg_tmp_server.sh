# Sourced by the generate_*.sh scripts: starts a throw-away PostgreSQL 15 on a loopback port in a
# temp dir (no systemd), stops and deletes it on exit. Sets WORK, PORT, PGBIN, CONN (client args).
# Extra server options: PG_EXTRA_OPTS.
PGBIN=/usr/lib/postgresql/15/bin
WORK="$(mktemp -d /tmp/warden-corpus.XXXXXX)"
chmod 755 "$WORK"
PORT="${PGPORT_CORPUS:-$(( 20000 + RANDOM % 20000 ))}"
AS=()
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); chown postgres "$WORK"; fi
pg_tmp_cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap pg_tmp_cleanup EXIT
"${AS[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust --no-sync -E UTF8 \
  --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/log" -w \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -k $WORK -c fsync=off ${PG_EXTRA_OPTS:-}" start >/dev/null
CONN=(-h 127.0.0.1 -p "$PORT" -U postgres)
