#!/bin/bash
# starttls-scenarios.sh - real captures of upgrades to TLS and of PROXY protocol headers, on loopback.
#
# Run as root from anywhere: bash pcaps/starttls-scenarios.sh [NAME...]  (default: all)
# Each scenario starts a server, captures `tcpdump -i lo 'tcp port P'` while a
# client connects once, and installs pcaps/NAME.pcap. Ports: PORT_BASE (23000) + n.
#
# Servers, all real: PostgreSQL (initdb/postgres, a private cluster in a temp
# dir, run as user postgres), OpenLDAP slapd (a private slapd.conf in a temp
# dir), nginx and haproxy (PROXY protocol), Postfix for SMTP (the system's,
# its configuration put back after), Dovecot for IMAP and POP3 (a private
# dovecot.conf in a temp dir), vsftpd for FTP (a private vsftpd.conf), MariaDB
# for MySQL (a private datadir, mysqld --no-defaults) and Prosody for XMPP (a
# private prosody.cfg.lua).
# Clients: openssl s_client -starttls (real), psql, ldapsearch, python3's
# smtplib, curl, haproxy. (A GSSENCRequest refused with N is not made here:
# this PostgreSQL is built with GSSAPI and answers G over TCP.)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CERTS=$HERE/certs
PORT_BASE=${PORT_BASE:-23000}
WORK=$(mktemp -d /tmp/starttls-scen.XXXXXX)
chmod 755 "$WORK"
PIDS=()
CAP_PID=
cleanup() {
  for p in "${PIDS[@]}" $CAP_PID; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/pg/postmaster.pid" ] && su postgres -s /bin/sh -c "pg_ctl -D $WORK/pg -m immediate stop" >/dev/null 2>&1
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "== $*" >&2; }
die() { echo "starttls-scenarios: $*" >&2; exit 1; }

wait_port() {   # wait_port PORT: until something listens
  for _ in $(seq 100); do
    ss -ltn "sport = :$1" | grep -q LISTEN && return 0
    sleep 0.1
  done
  die "nothing listens on port $1"
}


cap_begin() {   # cap_begin PORT
  : >"$WORK/cap.err"
  tcpdump -i lo -s 0 -U --immediate-mode -w "$WORK/cap.pcap" "tcp port $1" 2>"$WORK/cap.err" &
  CAP_PID=$!
  for _ in $(seq 100); do grep -q 'listening on' "$WORK/cap.err" && return 0; sleep 0.1; done
  die "tcpdump did not start"
}
cap_end() {     # cap_end NAME: stop the capture, install pcaps/NAME.pcap
  sleep 0.7
  kill -INT "$CAP_PID"
  wait "$CAP_PID" || true
  grep -qx '0 packets dropped by kernel' "$WORK/cap.err" || die "$1: tcpdump dropped packets"
  mv "$WORK/cap.pcap" "$HERE/$1.pcap"
  log "$1: $(tcpdump -r "$HERE/$1.pcap" 2>/dev/null | wc -l) packets"
}

s_client() {    # s_client PROTO PORT [args]: one handshake, then close (stdin at EOF)
  local proto=$1 port=$2
  shift 2
  timeout 10 openssl s_client -starttls "$proto" -connect "127.0.0.1:$port" -CAfile "$CERTS/ca-bundle.pem" \
    -servername server.example.test "$@" </dev/null >"$WORK/client.out" 2>&1 || true
}

# upgrade NAME PORT PROTO START STOP [s_client args]: "START PORT" starts the
# server (START may carry its own first arguments), s_client PROTO upgrades
# one connection while tcpdump captures pcaps/NAME.pcap, "STOP PORT" stops it;
# then the client must have verified the server (the scenarios that expect
# otherwise check client.out themselves: OK=no).
upgrade() {
  local name=$1 port=$2 proto=$3 start=$4 stop=$5
  shift 5
  $start "$port"
  cap_begin "$port"
  s_client "$proto" "$port" "$@"
  cap_end "$name"
  $stop "$port"
  [ "${OK:-yes}" = no ] || grep -q 'Verify return code: 0' "$WORK/client.out" ||
    die "$name: $(tail -5 "$WORK/client.out")"
}
stop_last() { kill "${PIDS[-1]}" 2>/dev/null || true; wait "${PIDS[-1]}" 2>/dev/null || true; sleep 0.3; }

# ---- IMAP, POP3: a real Dovecot (Debian's dovecot-imapd, dovecot-pop3d) ----
# dovecot_start PROTO PORT: a private dovecot.conf in a temp dir (its own
# base_dir, state_dir and log; the system's /etc/dovecot is not read), one
# protocol on 127.0.0.1:PORT, STARTTLS with the test certificate.
dovecot_start() {
  local proto=$1 port=$2 d=$WORK/dovecot-$2
  command -v dovecot >/dev/null || die "dovecot is not installed (apt-get install dovecot-imapd dovecot-pop3d)"
  mkdir -p "$d/run" "$d/state"
  cat >"$d/dovecot.conf" <<EOF
protocols = $proto
listen = 127.0.0.1
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
ssl = yes
ssl_cert = <$CERTS/server-chain.pem
ssl_key = <$CERTS/server.key
disable_plaintext_auth = yes
auth_mechanisms = plain
mail_location = maildir:$d/mail/%u
passdb {
  driver = static
  args = password=unused
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/mail/%u
}
service imap-login {
  inet_listener imap {
    port = $([ "$proto" = imap ] && echo "$port" || echo 0)
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $([ "$proto" = pop3 ] && echo "$port" || echo 0)
  }
  inet_listener pop3s {
    port = 0
  }
}
EOF
  dovecot -c "$d/dovecot.conf" || die "dovecot did not start: $(tail -3 "$d/dovecot.log" 2>/dev/null)"
  wait_port "$port"
  PIDS+=("$(cat "$d/run/master.pid")")
}
dovecot_stop() { # dovecot_stop PORT
  dovecot -c "$WORK/dovecot-$1/dovecot.conf" stop 2>/dev/null || true
  sleep 0.3
}

# openssl s_client -starttls imap: greeting, CAPABILITY, STARTTLS, OK, TLS
starttls_imap() { upgrade starttls-imap $((PORT_BASE + 2)) imap "dovecot_start imap" dovecot_stop; }
# openssl s_client -starttls pop3: greeting, STLS, +OK, TLS
starttls_pop3() { upgrade starttls-pop3 $((PORT_BASE + 3)) pop3 "dovecot_start pop3" dovecot_stop; }

# ---- FTP: a real vsftpd (Debian's vsftpd package) ----
# vsftpd_start PORT: a private vsftpd.conf in a temp dir, standalone in the
# foreground (background=NO), on 127.0.0.1:PORT, explicit FTPS (AUTH TLS,
# ssl_enable=YES) with the test certificate. It logs to the temp dir.
# ssl_request_cert=NO: vsftpd's default (YES) asks every client for a
# certificate, s_client answers with an empty one, and tlsdiag rightly warns
# client-cert-empty-inferred; this capture is the plain accepted upgrade. Left
# as vsftpd sets it: its ECDH group is P-256 only, so OpenSSL's X25519 key
# share gets a HelloRetryRequest.
vsftpd_start() {
  local port=$1 d=$WORK/vsftpd-$1
  command -v vsftpd >/dev/null || die "vsftpd is not installed (apt-get install vsftpd)"
  mkdir -p "$d/empty"
  chmod 555 "$d/empty"
  cat >"$d/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=NO
local_enable=YES
pam_service_name=vsftpd
secure_chroot_dir=$d/empty
ssl_enable=YES
rsa_cert_file=$CERTS/server-chain.pem
rsa_private_key_file=$CERTS/server.key
ssl_request_cert=NO
vsftpd_log_file=$d/vsftpd.log
xferlog_enable=NO
EOF
  vsftpd "$d/vsftpd.conf" >"$d/vsftpd.out" 2>&1 &
  PIDS+=($!)
  wait_port "$port"
}

# openssl s_client -starttls ftp: 220, AUTH TLS, 234, TLS
starttls_ftp() { upgrade starttls-ftp $((PORT_BASE + 4)) ftp vsftpd_start stop_last; }

# ---- XMPP: a real Prosody (Debian's prosody package) ----
# prosody_start PORT: a private prosody.cfg.lua in a temp dir (its own
# data_path, pid file and log; /etc/prosody is not read), run in the
# foreground as user prosody, c2s only on 127.0.0.1:PORT (no s2s, no HTTP),
# VirtualHost example.test with the test certificate (copied, so that user
# prosody reads it), STARTTLS required.
prosody_start() {
  local port=$1 d=$WORK/prosody-$1
  command -v prosody >/dev/null || die "prosody is not installed (apt-get install prosody)"
  install -d -o prosody -g prosody "$d" "$d/data"
  install -o prosody -m 600 "$CERTS/server.key" "$d/server.key"
  install -o prosody -m 644 "$CERTS/server-chain.pem" "$d/server-chain.pem"
  cat >"$d/prosody.cfg.lua" <<EOF
pidfile = "$d/prosody.pid"
data_path = "$d/data"
log = { info = "$d/prosody.log" }
modules_enabled = { "roster", "saslauth", "tls", "disco", "ping" }
modules_disabled = { "s2s", "offline" }
interfaces = { "127.0.0.1" }
c2s_ports = { $port }
c2s_direct_tls_ports = { }
s2s_ports = { }
http_ports = { }
https_ports = { }
c2s_require_encryption = true
authentication = "internal_hashed"
certificates = "$d"
VirtualHost "example.test"
  ssl = { certificate = "$d/server-chain.pem", key = "$d/server.key" }
EOF
  chown prosody "$d/prosody.cfg.lua"
  setpriv --reuid=prosody --regid=prosody --init-groups prosody -F --config "$d/prosody.cfg.lua" >"$d/prosody.out" 2>&1 &
  PIDS+=($!)
  wait_port "$port"
}

# openssl s_client -starttls xmpp: stream headers, <starttls/>, <proceed/>, TLS
starttls_xmpp() { upgrade starttls-xmpp $((PORT_BASE + 5)) xmpp prosody_start stop_last -xmpphost example.test; }

# ---- MySQL protocol: a real MariaDB (Debian's mariadb-server) ----
# mariadb_start PORT: a private datadir in the temp dir (mariadb-install-db),
# mysqld --no-defaults (the system's /etc/mysql is not read) as user mysql on
# 127.0.0.1:PORT, with its own socket, pid file and error log, and
# ssl_cert/ssl_key/ssl_ca the test PKI (copied, so that user mysql reads them).
# MariaDB asks every TLS client for a certificate (with or without ssl_ca);
# s_client sends an empty one (tlsdiag: client-cert-empty-inferred, info).
mariadb_start() {
  local port=$1 d=$WORK/mariadb-$1
  command -v mariadb-install-db >/dev/null || die "mariadb-server is not installed (apt-get install mariadb-server)"
  install -d -o mysql -g mysql "$d" "$d/data"
  install -o mysql -m 600 "$CERTS/server.key" "$d/server.key"
  install -o mysql -m 644 "$CERTS/server-chain.pem" "$d/server-chain.pem"
  install -o mysql -m 644 "$CERTS/ca-bundle.pem" "$d/ca-bundle.pem"
  mariadb-install-db --no-defaults --datadir="$d/data" --user=mysql --skip-test-db \
    --auth-root-authentication-method=socket >"$d/install.out" 2>&1 || die "mariadb-install-db: $(tail -3 "$d/install.out")"
  mysqld --no-defaults --datadir="$d/data" --user=mysql --bind-address=127.0.0.1 --port="$port" \
    --socket="$d/mysqld.sock" --pid-file="$d/mysqld.pid" --log-error="$d/error.log" --skip-name-resolve \
    --ssl-cert="$d/server-chain.pem" --ssl-key="$d/server.key" --ssl-ca="$d/ca-bundle.pem" &
  PIDS+=($!)
  wait_port "$port"
  # root@localhost only (socket auth): a user for 127.0.0.1, or the server
  # sends error 1130 (host not allowed) in place of its greeting
  mariadb --no-defaults -S "$d/mysqld.sock" -u root \
    -e "CREATE USER 'tlsdiag'@'127.0.0.1' IDENTIFIED BY 'unused' REQUIRE SSL" || die "mariadb: CREATE USER failed"
}

# openssl s_client -starttls mysql: the server's greeting, SSLRequest, TLS
starttls_mysql() { upgrade starttls-mysql $((PORT_BASE + 6)) mysql mariadb_start stop_last; }

# ---- SMTP: a real Postfix (Debian's postfix package) ----
# postfix_start CERT PORT: the system's Postfix with one more smtpd, on
# 127.0.0.1:PORT; CERT is its smtpd_tls_cert_file (a file that does not exist
# makes it answer STARTTLS with 454, as a broken TLS setup does). Its main.cf
# and master.cf are saved first and put back by postfix_stop. It logs to
# /var/log/postfix-tlsdiag.log (maillog_file must be under /var).
postfix_start() {
  local cert=$1 port=$2 d=$WORK/postfix
  command -v postfix >/dev/null || die "postfix is not installed (apt-get install postfix)"
  [ -f /etc/postfix/main.cf ] || die "postfix has no main.cf: configure it as 'Local only' (dpkg-reconfigure postfix)"
  mkdir -p "$d"
  cp -p /etc/postfix/main.cf /etc/postfix/master.cf "$d/"
  install -m 600 "$CERTS/server.key" /etc/postfix/tlsdiag-server.key
  postconf -e "inet_interfaces = loopback-only" "myhostname = server.example.test" \
    "smtpd_tls_cert_file = $cert" "smtpd_tls_key_file = /etc/postfix/tlsdiag-server.key" \
    "smtpd_tls_security_level = may" "maillog_file = /var/log/postfix-tlsdiag.log"
  postconf -M "127.0.0.1:$port/inet=127.0.0.1:$port inet n - n - - smtpd"
  postfix stop >/dev/null 2>&1 || true
  postfix start >"$d/start.out" 2>&1 || die "postfix did not start: $(tail -3 "$d/start.out")"
  wait_port "$port"
}
postfix_stop() {
  postfix stop >/dev/null 2>&1 || true
  cp -p "$WORK/postfix/main.cf" "$WORK/postfix/master.cf" /etc/postfix/
  rm -f /etc/postfix/tlsdiag-server.key
}

# openssl s_client -starttls smtp against Postfix; the same connection cut
# where the upgrade is over (a capture that starts after it: found by its
# records, not its port) is starttls-smtp-midstream
starttls_smtp() {
  local port=$((PORT_BASE + 1)) sh
  upgrade starttls-smtp "$port" smtp "postfix_start $CERTS/server-chain.pem" postfix_stop
  sh=$(tshark -r "$HERE/starttls-smtp.pcap" -d "tcp.port==$port,smtp" -Y 'tls.handshake.type == 2' -T fields -e frame.number | head -1)
  editcap -r "$HERE/starttls-smtp.pcap" "$HERE/starttls-smtp-midstream.pcap" "$((sh + 1))-1000000"
}

# Postfix agrees (220 2.0.0), but the client's TLS library has no cipher suite
# it may use (TLS 1.3 only, empty suite list): it fails before its ClientHello.
starttls_smtp_no_tls() {
  OK=no upgrade starttls-smtp-no-tls $((PORT_BASE + 7)) smtp "postfix_start $CERTS/server-chain.pem" postfix_stop \
    -tls1_3 -ciphersuites ''
  grep -q 'no ciphers available\|No ciphers enabled' "$WORK/client.out" || die "starttls-smtp-no-tls: $(cat "$WORK/client.out")"
}

# Postfix whose certificate file cannot be read: STARTTLS is answered 454 (the
# server logs "TLS library problem"); python's smtplib raises and quits in clear.
starttls_smtp_refused_postfix() {
  local port=$((PORT_BASE + 41))
  postfix_start /etc/postfix/tlsdiag-no-such-cert.pem "$port"
  cap_begin "$port"
  python3 - "$port" <<'PY' || true
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.example.test")
try:
    s.starttls()
except smtplib.SMTPResponseException as e:
    print("refused:", e.smtp_code, e.smtp_error.decode())
s.quit()
PY
  cap_end starttls-smtp-refused-postfix
  postfix_stop
}

# ---- PostgreSQL: a private cluster ----

pg_start() {    # pg_start SSL(on|off) PORT
  local ssl=$1 port=$2
  if [ ! -d "$WORK/pg" ]; then
    install -d -o postgres "$WORK/pg" "$WORK/pgsock"
    su postgres -s /bin/sh -c "initdb -D $WORK/pg -A trust -U postgres" >/dev/null
    install -o postgres -m 600 "$CERTS/server.key" "$WORK/pg/server.key"
    install -o postgres -m 644 "$CERTS/server-chain.pem" "$WORK/pg/server.crt"
  fi
  su postgres -s /bin/sh -c "pg_ctl -D $WORK/pg -w -l $WORK/pgsock/pg.log -o \"-c ssl=$ssl -c port=$port \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK/pgsock\" start" >/dev/null
}
pg_stop() { su postgres -s /bin/sh -c "pg_ctl -D $WORK/pg -w -m fast stop" >/dev/null; }

starttls_postgres() {
  local port=$((PORT_BASE + 10))
  pg_start on "$port"
  cap_begin "$port"
  PGSSLROOTCERT=$CERTS/ca-bundle.pem psql "host=localhost port=$port user=postgres dbname=postgres \
    sslmode=verify-full gssencmode=disable" -Atc 'select ssl from pg_stat_ssl where pid = pg_backend_pid()' \
    >"$WORK/client.out"
  grep -qx t "$WORK/client.out" || die "postgres: not over TLS: $(cat "$WORK/client.out")"
  cap_end starttls-postgres
  pg_stop
}

# ssl = off: the server answers N; psql with sslmode=require gives up, with
# sslmode=prefer it goes on in the clear.
starttls_postgres_refused() {
  local port=$((PORT_BASE + 11))
  pg_start off "$port"
  cap_begin "$port"
  psql "host=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=require gssencmode=disable" \
    -Atc 'select 1' >"$WORK/client.out" 2>&1 && die "postgres-refused: psql connected"
  grep -q 'does not support SSL' "$WORK/client.out" || die "postgres-refused: $(cat "$WORK/client.out")"
  psql "host=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=prefer gssencmode=disable" \
    -Atc 'select 1' >/dev/null
  cap_end starttls-postgres-refused
  pg_stop
}

# ---- OpenLDAP slapd: a private slapd.conf ----

slapd_start() { # slapd_start TLS(yes|no) PORT
  local tls=$1 port=$2 d=$WORK/ldap-$2
  mkdir -p "$d/db"
  {
    echo "include /etc/ldap/schema/core.schema"
    echo "pidfile $d/slapd.pid"
    echo "modulepath /usr/lib/ldap"
    echo "moduleload back_mdb"
    if [ "$tls" = yes ]; then
      echo "TLSCACertificateFile $CERTS/ca-bundle.pem"
      echo "TLSCertificateFile $CERTS/server-chain.pem"
      echo "TLSCertificateKeyFile $CERTS/server.key"
    fi
    echo "database mdb"
    echo "suffix \"dc=example,dc=test\""
    echo "rootdn \"cn=admin,dc=example,dc=test\""
    echo "rootpw secret"
    echo "directory $d/db"
  } >"$d/slapd.conf"
  slapd -f "$d/slapd.conf" -h "ldap://127.0.0.1:$port/" -u root -g root
  wait_port "$port"
  PIDS+=("$(cat "$d/slapd.pid")")
}
slapd_stop() { kill "$(cat "$WORK/ldap-$1/slapd.pid")"; sleep 0.3; }

starttls_ldap() {
  local port=$((PORT_BASE + 20))
  slapd_start yes "$port"
  cap_begin "$port"
  LDAPTLS_CACERT=$CERTS/ca-bundle.pem ldapsearch -ZZ -H "ldap://127.0.0.1:$port" -x -s base -b "" \
    namingContexts >"$WORK/client.out"
  cap_end starttls-ldap
  slapd_stop "$port"
}

starttls_ldap_refused() {
  local port=$((PORT_BASE + 21))
  slapd_start no "$port"
  cap_begin "$port"
  LDAPTLS_CACERT=$CERTS/ca-bundle.pem ldapsearch -ZZ -H "ldap://127.0.0.1:$port" -x -s base -b "" \
    namingContexts >"$WORK/client.out" 2>&1 && die "ldap-refused: StartTLS succeeded"
  cap_end starttls-ldap-refused
  slapd_stop "$port"
}

# ---- PROXY protocol: nginx with proxy_protocol on its TLS listener ----

nginx_start() { # nginx_start PORT
  local d=$WORK/nginx
  mkdir -p "$d/logs"
  cat >"$d/nginx.conf" <<EOF
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log;
events { worker_connections 16; }
http {
  access_log $d/logs/access.log;
  log_format pp '\$proxy_protocol_addr:\$proxy_protocol_port';
  server {
    listen 127.0.0.1:$1 ssl proxy_protocol;
    ssl_certificate $CERTS/server-chain.pem;
    ssl_certificate_key $CERTS/server.key;
    access_log $d/logs/pp.log pp;
    location / { return 200 "ok\n"; }
  }
}
EOF
  nginx -p "$d" -c "$d/nginx.conf" &
  PIDS+=($!)
  wait_port "$1"
}

# curl sends a v1 line with its own addresses
proxy_v1() {
  local port=$((PORT_BASE + 30))
  nginx_start "$port"
  cap_begin "$port"
  curl -sS --haproxy-protocol --cacert "$CERTS/ca-bundle.pem" "https://localhost:$port/" >/dev/null
  cap_end proxy-v1
  kill "${PIDS[-1]}"
  wait "${PIDS[-1]}" 2>/dev/null || true
}

# haproxy in TCP mode passes TLS through and prepends a v2 header with TLVs
proxy_v2() {
  command -v haproxy >/dev/null || die "proxy-v2 needs haproxy (apt-get install haproxy)"
  local port=$((PORT_BASE + 31)) front=$((PORT_BASE + 32))
  nginx_start "$port"
  cat >"$WORK/haproxy.cfg" <<EOF
global
  maxconn 16
defaults
  mode tcp
  timeout connect 5s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:$front
  unique-id-format %{+X}o%ci:%cp_%fi:%fp_%Ts
  default_backend be
backend be
  server nginx 127.0.0.1:$port send-proxy-v2 proxy-v2-options unique-id,crc32c
EOF
  haproxy -f "$WORK/haproxy.cfg" -db &
  PIDS+=($!)
  wait_port "$front"
  cap_begin "$port"
  curl -sS --cacert "$CERTS/ca-bundle.pem" "https://localhost:$front/" >/dev/null
  cap_end proxy-v2
}

ALL="starttls_smtp starttls_smtp_no_tls starttls_smtp_refused_postfix starttls_imap starttls_pop3 starttls_ftp
starttls_xmpp starttls_mysql starttls_postgres starttls_postgres_refused starttls_ldap starttls_ldap_refused
proxy_v1 proxy_v2"
[ "$(id -u)" = 0 ] || die "run as root (tcpdump, the postgres user)"
for s in ${*:-$ALL}; do
  log "${s//_/-}"
  "${s//-/_}"
done
