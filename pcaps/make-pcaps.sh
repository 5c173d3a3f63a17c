#!/usr/bin/env bash
# make-pcaps.sh -- regenerate tlsdiag's bench of small, REAL TLS captures (issue 2).
#
# Run as root on a Debian 12 machine:   pcaps/make-pcaps.sh
#
# What it does, one function per step (see main() at the bottom; the numbers are the sections):
#   1. install_deps     apt-get the tools if missing (openssl, tcpdump, tshark, wireshark-common,
#                       curl, nginx-light, python3, iproute2, util-linux, openjdk-17-jdk-headless,
#                       gnutls-bin)
#   2. enter_netns      re-executes itself inside a private network namespace (unshare -n): our own
#                       loopback, so nothing else on the machine can show up in a capture, ports 443/
#                       8443/4433 are free, and we may set lo's MTU to 1500 without disturbing anybody
#                       (=> Ethernet-sized TCP segments, multi-segment certificate flights).
#   3. make_pki         a throw-away private PKI under pcaps/certs/ (openssl CLI only, fixed dates);
#                       make_pki_extra adds the certificates of later captures when missing.
#   4+5. cap_*          one real capture per scenario: openssl s_server / nginx / python / Java /
#                       gnutls-serv on loopback, openssl s_client / curl / python / Java / gnutls-cli
#                       as client, tcpdump -i lo writing pcaps/NAME.pcap, the key log pcaps/NAME.keys
#                       where a tool at either end can write one, and what the software logged in
#                       pcaps/logs/NAME.log (cap_mtls, cap_chain, cap_dates, cap_names, cap_weak,
#                       cap_params, cap_resume, cap_tls13, cap_misc, cap_many, cap_variant_sources;
#                       then TLS 1.3 by default: cap_tls13_mtls, cap_tls13_server_rejected,
#                       cap_tls13_server_cert,
#                       cap_versions13, cap_nginx, cap_after_handshake12, cap_suites,
#                       cap_tls13_features, cap_keylogs, cap_gnutls, cap_plain_http, cap_java_server,
#                       cap_busy, cap_clock).
#   6. make_variants    link-layer / file-format / TCP-level variants made from real captures
#                       (pcapng, nsec, big endian, VLAN, QinQ, raw IP, NULL, reordered, lost
#                       segment, duplicated packets, mid-stream start, snaplen 96, gzip, cut-off
#                       file); the IPv6 and
#                       SLL/SLL2 variants are real captures (cap_variant_sources).
#   7. verify_all       every file is dissected with tshark (pcaptool.py check) and compared with
#                       expectations.txt (handshake messages, alerts, CA-name counts, connection
#                       counts, pinned frame numbers).  Any mismatch makes the script fail.  Then
#                       the table in pcaps/README.md is regenerated from the same tshark output, so
#                       the frame numbers in the README always match the committed captures.
#
# Nothing but the deliverables is written to pcaps/ (captures, key logs, the filtered logs in
# pcaps/logs/): raw logs, CA databases, Java key stores, sockets etc. live in a temporary
# directory under /tmp that is removed on exit (KEEP_WORK=1 keeps it for debugging).
#
# Options:  --only NAME[,NAME...]   re-capture only these scenarios (keeps the PKI; for development)
#           --no-readme             do not rewrite the README table
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)     # .../pcaps
CERTS=$HERE/certs
TOOL=$HERE/pcaptool.py
ONLY=""
WRITE_README=1
ARGS=("$@")           # kept for the re-exec into the network namespace
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) ONLY=",$2,"; shift 2 ;;
    --no-readme) WRITE_README=0; shift ;;
    *) echo "usage: $0 [--only a,b,c] [--no-readme]" >&2; exit 2 ;;
  esac
done

log()  { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
die()  { printf '\033[31mFATAL: %s\033[0m\n' "$*" >&2; exit 1; }

###############################################################################################
# 1. dependencies
###############################################################################################
install_deps() {
  # command -> Debian package that provides it
  local -A pkg=([openssl]=openssl [tcpdump]=tcpdump [tshark]=tshark [editcap]=wireshark-common
                [curl]=curl [nginx]=nginx-light [python3]=python3 [ip]=iproute2 [ss]=iproute2
                [unshare]=util-linux [rev]=util-linux [gzip]=gzip
                [javac]=openjdk-17-jdk-headless [keytool]=openjdk-17-jdk-headless
                [gnutls-cli]=gnutls-bin [gnutls-serv]=gnutls-bin)
  local missing=() c
  for c in "${!pkg[@]}"; do
    command -v "$c" >/dev/null 2>&1 || [[ -x /usr/sbin/$c ]] || missing+=("${pkg[$c]}")
  done
  if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # tshark asks whether non-root users may capture; the answer does not matter here
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u)
  fi
}

###############################################################################################
# 2. private network namespace
###############################################################################################
# The capture stage runs in a fresh network namespace: its loopback is ours alone.  We set the
# loopback MTU to 1500 and gso_max_segs to 1 so the kernel hands tcpdump Ethernet-sized segments
# (MSS 1460; a server certificate flight takes 2-3 segments, the 28 KB CertificateRequest 22)
# instead of 64 KB loopback super-packets.  The bytes on the wire are otherwise untouched.
enter_netns() {
  if [[ -z ${TLSDIAG_NETNS:-} ]]; then
    export TLSDIAG_NETNS=1
    unshare --net true 2>/dev/null || die "cannot create a network namespace (unshare --net); run as root on a host/VM"
    exec unshare --net -- "$BASH" "${BASH_SOURCE[0]}" "$@"
  fi
  ip link set dev lo mtu 1500
  ip link set dev lo gso_max_segs 1 2>/dev/null || log "WARNING: cannot set gso_max_segs on lo; segments may be larger than the MTU"
  ip link set dev lo up
  # give ::1 a moment to leave 'tentative' state (DAD is off on lo, but be safe)
  local i; for i in $(seq 50); do ip -6 addr show dev lo | grep -q '::1' && break; sleep 0.05; done
}

###############################################################################################
# temp dir, background process bookkeeping, cleanup
###############################################################################################
WORK=""
BG_PIDS=()          # every background process we start; killed by PID in the EXIT trap
cleanup() {
  local rc=$? p
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -n $WORK && -d $WORK ]]; then
    if [[ ${KEEP_WORK:-0} == 1 || $rc != 0 ]]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
  fi
  exit "$rc"
}
forget_pid() {   # forget_pid PID  -- remove from BG_PIDS once it has been reaped
  local p new=()
  for p in "${BG_PIDS[@]}"; do [[ $p == "$1" ]] || new+=("$p"); done
  BG_PIDS=("${new[@]}")
}

###############################################################################################
# 3. the private PKI (pcaps/certs/)
###############################################################################################
# Layout (all keys are throw-away test keys, NOT secret):
#   root-ca            "tlsdiag Test Root CA"          self-signed, CA:TRUE pathlen:1
#   intermediate-ca    "tlsdiag Test Intermediate CA"  issued by root, CA:TRUE pathlen:0
#   server             leaf by intermediate, SAN server.example.test, localhost, 127.0.0.1, ::1
#   client             "CN=Test Client" leaf by intermediate, EKU clientAuth
#   other-ca           "Other Test CA": a second, unrelated root; other-client = its client leaf
#   server-expired / server-notyetvalid / server-expiring-soon / server-wildcard / server-selfsigned
#   server-nosan / server-sha1 / server-rsa1024 / server-ecdsa / client-no-clientauth
#   (many-cas.pem      300 throw-away CA certificates + root-ca last; made in the work dir only)
# Bundles a user hands the analyzer:
#   ca-bundle.pem      truststore: the root
#   server-chain.pem   correct server chain file: server leaf + intermediate
#   client.pem         the client's keystore chain: client leaf + intermediate (key: client.key)
#   other-client.pem   the Other-CA client certificate
# Dates are fixed so verification results do not depend on the day the script runs, except
# server-expiring-soon, whose notAfter is computed from `date` (capture time + 20 days).
CA_FROM=20200101000000Z; CA_TO=20400101000000Z
LEAF_FROM=20250101000000Z; LEAF_TO=20350101000000Z

write_openssl_cnf() {
  export CADB=$WORK/pki SAN=DNS:unused      # referenced by ca.cnf; overridden per call
  # one config for every `openssl ca` call; the CA database dir and the SAN come from the
  # environment (CADB, SAN) so that several issuers can share it.
  cat > "$WORK/pki/ca.cnf" <<'CNF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir            = $ENV::CADB
database       = $dir/index.txt
new_certs_dir  = $dir/new
serial         = $dir/serial
rand_serial    = yes
default_md     = sha256
policy         = policy_any
unique_subject = no
email_in_dn    = no
preserve       = yes
copy_extensions = none
[ policy_any ]
countryName            = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ ext_root ]
basicConstraints       = critical,CA:TRUE,pathlen:1
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
[ ext_root0 ]
basicConstraints       = critical,CA:TRUE,pathlen:0
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
[ ext_intermediate ]
basicConstraints       = critical,CA:TRUE,pathlen:0
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ ext_server ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = $ENV::SAN
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ ext_server_ec ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = $ENV::SAN
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ ext_server_nosan ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ ext_selfsigned ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = $ENV::SAN
subjectKeyIdentifier   = hash
[ ext_client ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ ext_client_serverauth_only ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ ext_throwaway_ca ]
basicConstraints       = critical,CA:TRUE
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
CNF
}

rsa_key() { openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:${2:-2048}" -out "$CERTS/$1.key"; }
ec_key()  { openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$CERTS/$1.key"; }

new_cadb() {  # new_cadb NAME  -- an empty `openssl ca` database for one issuer
  mkdir -p "$WORK/pki/$1/new"; : > "$WORK/pki/$1/index.txt"
}

# issue NAME SUBJECT ISSUER|self EXTENSION FROM TO [extra openssl-ca args...]
# A CSR from $CERTS/NAME.key, signed by ISSUER (or by itself) with explicit start/end dates.
issue() {
  local name=$1 subj=$2 issuer=$3 ext=$4 from=$5 to=$6; shift 6
  local csr=$WORK/pki/$name.csr db signer=()
  openssl req -new -config "$WORK/pki/ca.cnf" -key "$CERTS/$name.key" -subj "$subj" -out "$csr"
  if [[ $issuer == self ]]; then
    db=$WORK/pki/self-$name; new_cadb "self-$name"
    signer=(-selfsign -keyfile "$CERTS/$name.key")
  else
    db=$WORK/pki/$issuer
    signer=(-cert "$CERTS/$issuer.crt" -keyfile "$CERTS/$issuer.key")
  fi
  CADB=$db openssl ca -batch -notext -config "$WORK/pki/ca.cnf" "${signer[@]}" \
      -in "$csr" -out "$CERTS/$name.crt" -startdate "$from" -enddate "$to" -extensions "$ext" "$@" \
      2>"$WORK/pki/$name.log" || { cat "$WORK/pki/$name.log" >&2; die "openssl ca failed for $name"; }
}

make_pki() {
  log "building the private PKI in $CERTS"
  rm -rf "$CERTS"; mkdir -p "$CERTS" "$WORK/pki"
  write_openssl_cnf
  local SRV_SAN="DNS:server.example.test,DNS:localhost,IP:127.0.0.1,IP:::1"

  # roots and intermediate
  rsa_key root-ca;  issue root-ca "/O=tlsdiag test PKI/CN=tlsdiag Test Root CA" self ext_root "$CA_FROM" "$CA_TO"
  new_cadb root-ca
  rsa_key intermediate-ca
  issue intermediate-ca "/O=tlsdiag test PKI/CN=tlsdiag Test Intermediate CA" root-ca ext_intermediate "$CA_FROM" "$CA_TO"
  new_cadb intermediate-ca
  rsa_key other-ca; issue other-ca "/O=Other Org/CN=Other Test CA" self ext_root0 "$CA_FROM" "$CA_TO"
  new_cadb other-ca

  # leaves issued by the intermediate
  rsa_key server;   SAN=$SRV_SAN issue server "/O=tlsdiag test services/CN=server.example.test" intermediate-ca ext_server "$LEAF_FROM" "$LEAF_TO"
  rsa_key client;   issue client "/O=tlsdiag test clients/CN=Test Client" intermediate-ca ext_client "$LEAF_FROM" "$LEAF_TO"
  rsa_key client-no-clientauth
  issue client-no-clientauth "/O=tlsdiag test clients/CN=Test Client Without clientAuth" intermediate-ca ext_client_serverauth_only "$LEAF_FROM" "$LEAF_TO"
  rsa_key server-expired
  SAN=$SRV_SAN issue server-expired "/O=tlsdiag test services/CN=server.example.test" intermediate-ca ext_server 20240101000000Z 20250101000000Z
  rsa_key server-notyetvalid
  SAN=$SRV_SAN issue server-notyetvalid "/O=tlsdiag test services/CN=server.example.test" intermediate-ca ext_server 20300101000000Z 20310101000000Z
  rsa_key server-expiring-soon
  local soon; soon=$(date -u -d '+20 days' +%Y%m%d%H%M%SZ)
  SAN=$SRV_SAN issue server-expiring-soon "/O=tlsdiag test services/CN=server.example.test" intermediate-ca ext_server "$LEAF_FROM" "$soon"
  rsa_key server-wildcard
  SAN="DNS:*.example.test" issue server-wildcard "/O=tlsdiag test services/CN=*.example.test" intermediate-ca ext_server "$LEAF_FROM" "$LEAF_TO"
  rsa_key server-nosan
  issue server-nosan "/O=tlsdiag test services/CN=nosan.example.test" intermediate-ca ext_server_nosan "$LEAF_FROM" "$LEAF_TO"
  rsa_key server-sha1
  SAN=$SRV_SAN issue server-sha1 "/O=tlsdiag test services/CN=server.example.test" intermediate-ca ext_server "$LEAF_FROM" "$LEAF_TO" -md sha1
  rsa_key server-rsa1024 1024
  SAN=$SRV_SAN issue server-rsa1024 "/O=tlsdiag test services/CN=server.example.test" intermediate-ca ext_server "$LEAF_FROM" "$LEAF_TO"
  ec_key server-ecdsa
  SAN=$SRV_SAN issue server-ecdsa "/O=tlsdiag test services/CN=server.example.test" intermediate-ca ext_server_ec "$LEAF_FROM" "$LEAF_TO"
  # self-signed server leaf (what `openssl req -x509` users deploy), right name, no CA behind it
  rsa_key server-selfsigned
  SAN=$SRV_SAN issue server-selfsigned "/O=tlsdiag test services/CN=server.example.test" self ext_selfsigned "$LEAF_FROM" "$LEAF_TO"
  # client leaf of the unrelated Other CA
  rsa_key other-client
  issue other-client "/O=Other Org/CN=Other Client" other-ca ext_client "$LEAF_FROM" "$LEAF_TO"

  # bundles
  cp "$CERTS/root-ca.crt" "$CERTS/ca-bundle.pem"
  cat "$CERTS/server.crt" "$CERTS/intermediate-ca.crt" > "$CERTS/server-chain.pem"
  cat "$CERTS/client.crt" "$CERTS/intermediate-ca.crt" > "$CERTS/client.pem"
  cp "$CERTS/other-client.crt" "$CERTS/other-client.pem"
  # chain-order variants as a user would put them in a chain file (order is what goes on the wire)
  cat "$CERTS/server.crt" "$CERTS/root-ca.crt" "$CERTS/intermediate-ca.crt" > "$CERTS/server-chain-wrong-order.pem"
  cat "$CERTS/server.crt" "$CERTS/intermediate-ca.crt" "$CERTS/root-ca.crt" > "$CERTS/server-chain-with-root.pem"
  cat "$CERTS/server.crt" "$CERTS/intermediate-ca.crt" "$CERTS/other-ca.crt" > "$CERTS/server-chain-extra-cert.pem"

  # OCSP response for the server leaf, signed by its issuer (the intermediate), for stapling.
  # The responder reads the intermediate's `openssl ca` database, where the server is 'V'alid.
  openssl ocsp -issuer "$CERTS/intermediate-ca.crt" -cert "$CERTS/server.crt" -no_nonce \
      -reqout "$WORK/pki/ocsp-req.der" >/dev/null 2>&1
  openssl ocsp -index "$WORK/pki/intermediate-ca/index.txt" -rsigner "$CERTS/intermediate-ca.crt" \
      -rkey "$CERTS/intermediate-ca.key" -CA "$CERTS/intermediate-ca.crt" -reqin "$WORK/pki/ocsp-req.der" \
      -respout "$CERTS/server-ocsp.der" -ndays 7 >/dev/null 2>&1
  openssl ocsp -respin "$CERTS/server-ocsp.der" -CAfile "$CERTS/root-ca.crt" -issuer "$CERTS/intermediate-ca.crt" \
      -cert "$CERTS/server.crt" -no_nonce 2>&1 | grep -q ': good' || die "OCSP response is not 'good'"

  chmod 644 "$CERTS"/*
  # sanity: the normal chain verifies, and the broken ones fail the way they should
  openssl verify -CAfile "$CERTS/root-ca.crt" -untrusted "$CERTS/intermediate-ca.crt" \
      "$CERTS/server.crt" "$CERTS/client.crt" "$CERTS/server-ecdsa.crt" "$CERTS/server-wildcard.crt" >/dev/null \
      || die "PKI does not verify"
  ! openssl verify -CAfile "$CERTS/root-ca.crt" -untrusted "$CERTS/intermediate-ca.crt" "$CERTS/server-expired.crt" >/dev/null 2>&1 \
      || die "expired leaf verifies?"
  log "PKI: $(ls "$CERTS" | wc -l) files"
}

make_many_cas() {
  mkdir -p "$WORK/pki"; [[ -f $WORK/pki/ca.cnf ]] || write_openssl_cnf
  local i
  # 300 throw-away CA certificates for the many-CAs CertificateRequest.  One shared small EC key
  # keeps this cheap; only the distinct subject names matter (they end up in the CA-name list).
  # Kept in the work dir (220 KB of PEM nobody needs afterwards; the names are in the capture).
  openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/pki/many-cas.key"
  for i in $(seq -w 1 300); do
    openssl req -x509 -new -config "$WORK/pki/ca.cnf" -key "$WORK/pki/many-cas.key" -days 3650 \
      -subj "/O=tlsdiag throwaway CAs/OU=Bench unit $i/CN=Throwaway Test CA $i" -extensions ext_throwaway_ca
  done > "$WORK/pki/many.pem"
  cat "$WORK/pki/many.pem" "$CERTS/root-ca.crt" > "$WORK/pki/many-cas.pem"   # root last
}

# Certificates added to the PKI after its first build (for the TLS 1.3 / key-log captures).  They
# are issued by the existing CAs and only when missing, so that re-capturing single scenarios
# (--only) never changes a certificate an older capture was made with.
#   client-expired     "CN=Test Client Expired" by the intermediate, EKU clientAuth, valid
#                      2024-01-01 .. 2025-01-01
make_pki_extra() {
  [[ -f $CERTS/client-expired.crt ]] && return 0
  log "adding client-expired to the PKI"
  mkdir -p "$WORK/pki"; [[ -f $WORK/pki/ca.cnf ]] || write_openssl_cnf
  [[ -d $WORK/pki/intermediate-ca ]] || new_cadb intermediate-ca
  rsa_key client-expired
  issue client-expired "/O=tlsdiag test clients/CN=Test Client Expired" intermediate-ca ext_client \
      20240101000000Z 20250101000000Z
  chmod 644 "$CERTS"/client-expired.*
  local v; v=$(openssl verify -CAfile "$CERTS/root-ca.crt" -untrusted "$CERTS/intermediate-ca.crt" \
      "$CERTS/client-expired.crt" 2>&1 || true)
  grep -q 'certificate has expired' <<<"$v" || die "client-expired is not expired? $v"
}

###############################################################################################
# 4. capture machinery
###############################################################################################
# A scenario is:   begin NAME PORT ; srv ... ; cli ... ; end
#   begin  starts `tcpdump -i lo 'tcp port PORT'` and waits until it really captures
#   srv    starts `openssl s_server` (echo mode -rev: every line the client sends comes back
#          reversed, so application data flows both ways) and waits until the port listens
#   cli    runs `openssl s_client`, optionally "talking": it waits for the handshake, sends the
#          given lines one by one and waits for each echo, then closes stdin (=> close_notify, FIN)
#   end    waits for the server(s) to exit (-naccept), for all sockets to close and for the capture
#          file to stop growing, then stops tcpdump with SIGINT and installs pcaps/NAME.pcap
LOGS=""             # $WORK/logs
SCEN=""; PORT=""; PORTS=(); CAP=""; FILTER=""; SRV_PIDS=(); CLI_N=0; SRV_IN=""; LOGREG=(); CLOG=""
T_SRV=60            # hard limits (seconds) for every server and client process
T_CLI=20

# poll until a command succeeds:  wait_until SECONDS DESCRIPTION cmd...
wait_until() {
  local t=$1 what=$2; shift 2
  local end=$((SECONDS + t))
  until "$@" 2>/dev/null; do
    ((SECONDS < end)) || die "$SCEN: timed out waiting for $what"
    sleep 0.05
  done
}
port_listening() { ss -Hltn "sport = :$1" | grep -q LISTEN; }
port_busy() {      # any socket on the port that is not LISTEN / TIME-WAIT?
  ss -Htan "( sport = :$1 or dport = :$1 )" | grep -vqE '^(LISTEN|TIME-WAIT)'
}
pid_alive() { kill -0 "$1" 2>/dev/null; }
file_stable() {    # file size unchanged over 3 polls 0.1 s apart
  local a b c; a=$(stat -c %s "$1"); sleep 0.1; b=$(stat -c %s "$1"); sleep 0.1; c=$(stat -c %s "$1")
  [[ $a == "$b" && $b == "$c" ]]
}
want() { [[ -z $ONLY || $ONLY == *",$1,"* ]]; }

# start_tcpdump OUTFILE FILTER [tcpdump args...]   (default: -i lo)
# -B: a big kernel buffer: with --immediate-mode libpcap uses TPACKET_V2 with one 256 KB slot per
#     packet at snaplen 0; the default 2 MB buffer drops packets in bursts.
# --immediate-mode: otherwise packets sit up to 1 s in the kernel ring and are lost at SIGINT.
# Several captures may run at once (TD_PIDS / TD_FILES); end() stops them all.
TD_PIDS=(); TD_FILES=()
start_tcpdump() {
  local out=$1 filter=$2; shift 2
  local args=("$@"); ((${#args[@]})) || args=(-i lo)
  timeout "$T_SRV" tcpdump "${args[@]}" -s 0 -B 32768 -U --immediate-mode -w "$out" "$filter" 2>"$out.err" &
  TD_PIDS+=($!); TD_FILES+=("$out"); BG_PIDS+=($!)
  wait_until 10 "tcpdump to start" grep -q 'listening on' "$out.err"
  sleep 0.3      # 'listening on' is printed just before the capture loop starts; be safe
}
stop_tcpdumps() {
  local i f
  for f in "${TD_FILES[@]}"; do wait_until 10 "capture file to settle" file_stable "$f"; done
  for i in "${!TD_PIDS[@]}"; do
    f=${TD_FILES[$i]}
    kill -INT "${TD_PIDS[$i]}"
    wait "${TD_PIDS[$i]}" || die "$SCEN: tcpdump failed: $(cat "$f.err")"
    forget_pid "${TD_PIDS[$i]}"
    grep -qx '0 packets dropped by kernel' "$f.err" || die "$SCEN: tcpdump dropped packets: $(cat "$f.err")"
  done
  TD_PIDS=(); TD_FILES=()
}

# begin [-i TCPDUMP-ARGS] NAME PORT [PORT...]  -- capture 'tcp port P [or tcp port Q...]' to
# $WORK/NAME.pcap; -i replaces the default '-i lo' (e.g. -i "-i any -y LINUX_SLL2")
begin() {
  local td=(-i lo)
  [[ $1 == -i ]] && { read -ra td <<<"$2"; shift 2; }
  SCEN=$1 PORT=$2 SRV_PIDS=() CLI_N=0 LOGREG=() KEYLOG=() KEYLOGF=""
  shift; PORTS=("$@")
  log "capture $SCEN (port${2:+s} $*)"
  local p
  FILTER=""
  for p; do ! port_listening "$p" || die "$SCEN: port $p already in use"; FILTER+="${FILTER:+ or }tcp port $p"; done
  CAP=$WORK/$SCEN.pcap
  start_tcpdump "$CAP" "$FILTER" "${td[@]}"
}

# srv [-n NACCEPT] [-p PORT] [-6] [-m rev|www|plain] s_server-args...   -- openssl s_server in the
# background; mode rev (default): echo server; www: answers an HTTP GET with "HTTP/1.0 200 ok" and
# an HTML page (for curl, python, Java); plain: prints what it receives (early data) and answers
# nothing
srv() {
  local n=1 host=127.0.0.1 port=$PORT mode=-rev
  while :; do case "$1" in
    -n) n=$2; shift 2 ;;
    -p) port=$2; shift 2 ;;
    -6) host='[::1]'; shift ;;
    -m) mode=-$2; [[ $2 == plain ]] && mode=""; shift 2 ;;
    *) break ;;
  esac; done
  local out=$LOGS/$SCEN.server.${#SRV_PIDS[@]}.log in=/dev/null
  LOGREG+=("server|openssl s_server $OPENSSL_V|$out")
  if [[ -z $mode ]]; then        # plain mode quits at EOF on stdin: give it a FIFO we hold open
    in=$WORK/srvin.$SCEN.${#SRV_PIDS[@]}; mkfifo "$in"; exec {SRV_IN}<>"$in"
  fi
  timeout "$T_SRV" openssl s_server -accept "$host:$port" -naccept "$n" $mode "$@" \
      >"$out" 2>&1 <"$in" &
  SRV_PIDS+=($!); BG_PIDS+=($!)
  wait_until 10 "s_server on port $port" port_listening "$port"
}
# bg SERVER-COMMAND...   -- any other server (nginx, python) in the background
bg() {
  timeout "$T_SRV" "$@" >"$LOGS/$SCEN.server.${#SRV_PIDS[@]}.log" 2>&1 </dev/null &
  SRV_PIDS+=($!); BG_PIDS+=($!)
  wait_until 10 "server on port $PORT" port_listening "$PORT"
}

# cli [-6] [-p PORT] [LINE...] -- s_client-args...
# Runs openssl s_client -connect 127.0.0.1:PORT with stdin on a FIFO we control.  If LINEs are
# given: after the handshake each LINE is sent and its echo (the reversed line) awaited; a line "R"
# asks s_client to renegotiate, "k"/"K" to send a KeyUpdate (K: and request one back); a line
# "@COMMAND" sends nothing and waits until the shell COMMAND succeeds (s_client's stdout is
# buffered: wait for a file it writes, not for its output).  Then stdin is closed: s_client sends
# close_notify and exits.
# Without LINEs stdin is closed right after the handshake.  A failing handshake ends the client
# by itself; that is fine, the capture shows how.
cli() {
  local host=127.0.0.1 port=$PORT lines=()
  while :; do case "$1" in
    -6) host='[::1]'; shift ;;
    -p) port=$2; shift 2 ;;
    *) break ;;
  esac; done
  while [[ $1 != -- ]]; do lines+=("$1"); shift; done; shift
  CLI_N=$((CLI_N + 1))
  local out=$LOGS/$SCEN.client.$CLI_N.log fifo=$WORK/fifo.$SCEN.$CLI_N fd pid
  LOGREG+=("client|openssl s_client $OPENSSL_V|$out")
  mkfifo "$fifo"
  timeout "$T_CLI" openssl s_client -connect "$host:$port" "$@" <"$fifo" >"$out" 2>&1 &
  pid=$!; BG_PIDS+=("$pid")
  exec {fd}>"$fifo"
  # handshake finished (s_client prints its summary) or client gone
  wait_until "$T_CLI" "s_client handshake" eval "grep -q 'SSL handshake has read' '$out' || ! pid_alive $pid"
  local l rev
  for l in "${lines[@]}"; do
    pid_alive "$pid" || break
    if [[ $l == @* ]]; then
      wait_until "$T_CLI" "'${l#@}'" eval "${l#@} || ! pid_alive $pid"
      continue
    fi
    # in a subshell that ignores SIGPIPE: the client may die between the check and the write
    ( trap '' PIPE; printf '%s\n' "$l" >&"$fd" ) 2>/dev/null || break
    if [[ $l == R ]]; then
      wait_until "$T_CLI" "renegotiation" eval "grep -q 'RENEGOTIATING' '$out' || ! pid_alive $pid"
      continue
    fi
    rev=$(printf '%s' "$l" | rev)
    wait_until "$T_CLI" "echo of '$l'" eval "grep -qF '$rev' '$out' || ! pid_alive $pid"
  done
  exec {fd}>&-
  wait "$pid" || true            # a failing handshake exits non-zero; judged by verify_all
  forget_pid "$pid"; rm -f "$fifo"
}

# end [-k] [-n]   -k: the servers do not exit by themselves, stop them by PID; -n: a rehearsal,
# install neither the capture nor the logs (tls13-keylog-wrong keeps only its key log)
end() {
  local p kill=0 install=1
  while (($#)); do case "$1" in -k) kill=1 ;; -n) install=0 ;; esac; shift; done
  for p in "${SRV_PIDS[@]}"; do
    if ((kill)); then kill "$p" 2>/dev/null || true; fi
    wait_until 15 "server $p to finish" eval "! pid_alive $p"
    wait "$p" || true; forget_pid "$p"
  done
  if [[ -n ${SRV_IN:-} ]]; then exec {SRV_IN}>&-; SRV_IN=""; fi
  for p in "${PORTS[@]}"; do wait_until 10 "connections on port $p to close" eval "! port_busy $p"; done
  stop_tcpdumps
  ((install)) || return 0
  cp "$CAP" "$HERE/$SCEN.pcap"
  keep_logs
}

# nginx with its own prefix/config under the work dir; single process, foreground, stopped by PID
start_nginx() {   # start_nginx 'server { ... }'
  local d=$WORK/nginx-$SCEN
  mkdir -p "$d"
  cat > "$d/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections 64; }
http {
  access_log $d/access.log;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  default_type text/plain;
  $1
}
NGINX
  LOGREG+=("server|nginx $NGINX_V error.log|$d/error.log" "server|nginx $NGINX_V access.log|$d/access.log")
  bg nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log"
}

# ---- more clients and servers: curl, python, Java (JSSE), GnuTLS ------------------------------
# Each logs to $LOGS/$SCEN.client.N.log (or .server.N.log) and registers it in LOGREG as
# "ROLE|TOOL VERSION|FILE"; end() then keeps the lines that report the outcome (keep_logs).  They
# connect to 127.0.0.1:$PORT and ask for the name given (SNI and the name checked), trusting
# certs/ca-bundle.pem; the key log, where the tool can write one, is $KEYLOGF (see keylog).
tool_versions() {
  OPENSSL_V=$(openssl version | cut -d' ' -f2)
  CURL_V=$(curl --version | head -1 | cut -d' ' -f2)
  NGINX_V=$(nginx -v 2>&1 | sed 's,.*nginx/,,')
  PY_V=$(python3 -c 'import platform, ssl; print(platform.python_version(), "ssl,", ssl.OPENSSL_VERSION.rsplit(" ", 3)[0])')
  GNUTLS_V=$(gnutls-cli --version | head -1 | cut -d' ' -f2)
  JAVA_V=$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)
}
next_client_log() {   # next_client_log TOOL -- sets CLOG, the N-th client's log of this scenario
  CLI_N=$((CLI_N + 1)); CLOG=$LOGS/$SCEN.client.$CLI_N.log
  LOGREG+=("client|$1|$CLOG")
}

# curl_cli NAME [curl args...] -- GET https://NAME:PORT/ (NAME resolved to 127.0.0.1); the log has
# curl's own error line (-sS) and the HTTP status it got (-w)
curl_cli() {
  local name=$1; shift
  next_client_log "curl $CURL_V"
  local env=(); [[ -n $KEYLOGF ]] && env=("SSLKEYLOGFILE=$KEYLOGF")
  env "${env[@]}" timeout "$T_CLI" curl -sS --max-time 10 --cacert "$C/ca-bundle.pem" \
      --resolve "$name:$PORT:127.0.0.1" -o "$CLOG.body" -w 'curl: HTTP status %{http_code}\n' \
      "$@" "https://$name:$PORT/" >"$CLOG" 2>&1 || true
  curl_title
}
curl_title() {   # the title of an HTML error page curl got (nginx: "400 No required SSL ...")
  [[ -f $CLOG.body ]] || return 0
  local t; t=$(grep -o '<title>[^<]*</title>' "$CLOG.body" | head -1 | sed 's/<[^>]*>//g' || true)
  if [[ -n $t ]]; then echo "curl: page title: $t" >>"$CLOG"; fi
}

# py_cli NAME [pyclient.py options...] -- python's ssl module (pcaps/pyclient.py)
py_cli() {
  local name=$1; shift
  next_client_log "python $PY_V"
  timeout "$T_CLI" python3 "$HERE/pyclient.py" 127.0.0.1 "$PORT" "$name" "$C/ca-bundle.pem" \
      ${KEYLOGF:+--keylog "$KEYLOGF"} "$@" >"$CLOG" 2>&1 || true
}

# Java: pcaps/java/*.java compiled into the work dir, PKCS#12 stores (password changeit) made from
# the PKI: trust.p12 (the root, what a Java truststore holds), client.p12 / other-client.p12 /
# client-expired.p12 (leaf + key + its chain), server.p12 (server leaf + intermediate)
JAVA_DIR=""
java_setup() {
  [[ -n $JAVA_DIR ]] && return 0
  JAVA_DIR=$WORK/java; mkdir -p "$JAVA_DIR"
  javac -d "$JAVA_DIR" "$HERE"/java/*.java || die "javac failed"
  keytool -importcert -noprompt -alias root -file "$C/root-ca.crt" -keystore "$JAVA_DIR/trust.p12" \
      -storetype PKCS12 -storepass changeit >/dev/null 2>&1 || die "keytool failed"
  local id n crt chain
  for id in client:client.crt:intermediate-ca.crt other-client:other-client.crt:other-ca.crt \
            client-expired:client-expired.crt:intermediate-ca.crt server:server.crt:intermediate-ca.crt; do
    IFS=: read -r n crt chain <<<"$id"
    openssl pkcs12 -export -name "$n" -in "$C/$crt" -inkey "$C/$n.key" -certfile "$C/$chain" \
        -out "$JAVA_DIR/$n.p12" -passout pass:changeit || die "pkcs12 $n failed"
  done
}
# java_cli NAME [KEYSTORE-NAME] -- pcaps/java/TlsClient.java; JAVA_OPTS (e.g.
# -Djdk.tls.client.protocols=TLSv1.3) go to the JVM
JAVA_OPTS=()
java_cli() {
  java_setup
  next_client_log "Java $JAVA_V (JSSE)"
  timeout "$T_CLI" java "${JAVA_OPTS[@]}" -cp "$JAVA_DIR" TlsClient 127.0.0.1 "$PORT" "$1" \
      "$JAVA_DIR/trust.p12" ${2:+"$JAVA_DIR/$2.p12"} >"$CLOG" 2>&1 || true
}
# java_srv COUNT [PROTOCOL] -- pcaps/java/TlsServer.java, needClientAuth, trusting the root
java_srv() {
  java_setup
  local out=$LOGS/$SCEN.server.${#SRV_PIDS[@]}.log
  LOGREG+=("server|Java $JAVA_V (JSSE)|$out")
  bg java -cp "$JAVA_DIR" TlsServer "$PORT" "$JAVA_DIR/server.p12" "$JAVA_DIR/trust.p12" "$@"
}

# gnutls_cli NAME [gnutls-cli args...] -- sends one HTTP GET on stdin; key log via SSLKEYLOGFILE
gnutls_cli() {
  local name=$1; shift
  next_client_log "gnutls-cli $GNUTLS_V"
  local env=(); [[ -n $KEYLOGF ]] && env=("SSLKEYLOGFILE=$KEYLOGF")
  printf 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' "$name" |
    env "${env[@]}" timeout "$T_CLI" gnutls-cli --x509cafile "$C/ca-bundle.pem" --sni-hostname "$name" \
        --verify-hostname "$name" -p "$PORT" "$@" 127.0.0.1 >"$CLOG" 2>&1 || true
}
# gnutls_srv [gnutls-serv args...] -- serves HTTP until stopped (end -k)
gnutls_srv() {
  local out=$LOGS/$SCEN.server.${#SRV_PIDS[@]}.log
  LOGREG+=("server|gnutls-serv $GNUTLS_V|$out")
  bg gnutls-serv --http -p "$PORT" --x509certfile "$C/server-chain.pem" --x509keyfile "$C/server.key" "$@"
}

# ---- what the software logged: pcaps/logs/NAME.log ------------------------------------------
# Per client and server, the lines of its output that report the outcome (errors, alerts, verify
# results, the negotiated protocol, the HTTP status); certificates, hex dumps and session details
# are left out.  OpenSSL's per-thread prefix ("40E7F3B2C67F0000:error:...") is cut to "error:...":
# it differs on every run.  Identical blocks (many clients of one kind) are given once with a count.
log_filter() {   # log_filter TOOL < LOG
  case $1 in
    "openssl s_client"*)
      grep -aE '^(verify error|Verify return code|New, |Reused, |Early data was (accepted|rejected)|KEYUPDATE|RENEGOTIATING|read:errno|write:errno|Verification error)|error:|alert' ;;
    "openssl s_server"*)
      grep -aE '^(ERROR|verify error|CIPHER is|Early data|No early data|KEYUPDATE|Reused session|subject=)|error:|alert' ;;
    nginx*error.log) grep -avE '\[notice\]|epoll_wait\(\) failed \(4: Interrupted' ;;  # not: our SIGTERM
    gnutls-cli*) grep -aE '^\*\*\*|^- (Handshake was completed|Status|Description|Version)|rror|alert|HTTP/' ;;
    gnutls-serv*) grep -aE 'rror|alert|Accepted|Closed|^- (Version|Description)' ;;
    *) cat ;;
  esac | sed -E -e 's/^[0-9A-F]{12,16}:error:/error:/' -e '/^[[:space:]]*$/d' | cut -c1-400
}
keep_logs() {
  local e role tool file text key nc=0 ns=0 n
  local -A who=(); local order=()
  for e in "${LOGREG[@]}"; do
    IFS='|' read -r role tool file <<<"$e"
    if [[ $role == client ]]; then n=$((++nc)); else n=$((++ns)); fi
    text=$( [[ -f $file ]] && log_filter "$tool" <"$file" || true )
    key="$role|$tool|$text"
    [[ -n ${who[$key]:-} ]] || order+=("$key")
    who[$key]+="${who[$key]:+,}$n"
  done
  mkdir -p "$HERE/logs"
  {
    echo "# what the software logged in $SCEN (make-pcaps.sh keep_logs: only the lines reporting the outcome)"
    for key in "${order[@]}"; do           # clients first, then servers
      [[ $key == client* ]] || continue; keep_logs_block "$key" "${who[$key]}" "$nc"
    done
    for key in "${order[@]}"; do
      [[ $key == client* ]] && continue; keep_logs_block "$key" "${who[$key]}" "$ns"
    done
  } >"$HERE/logs/$SCEN.log"
}
keep_logs_block() {   # keep_logs_block "ROLE|TOOL|TEXT" WHICH(1,3,..) HOW-MANY-OF-THAT-ROLE
  local key=$1 role tool text label
  IFS='|' read -r role tool text <<<"$key"
  text=${key#*|*|}
  label=$role
  if (($3 > 1)); then   # several clients (servers): say which ones, in the order they ran
    if [[ $2 == *,* ]]; then label="${role}s $2 ($(tr ',' '\n' <<<"$2" | wc -l) runs with this output)"
    else label="$role $2"; fi
  fi
  echo "== $label: $tool"
  if [[ -n $text ]]; then printf '%s\n' "$text" | sed 's/^/  /'; else echo "  (nothing)"; fi
}

###############################################################################################
# 5. the scenarios
###############################################################################################
C=$CERTS
SNI=server.example.test
# server identities: leaf + key + what s_server sends after the leaf (-cert_chain order is kept)
SRV_OK=(-cert "$C/server.crt" -key "$C/server.key" -cert_chain "$C/intermediate-ca.crt")
# a client that verifies the server like curl/Java would: truststore = our root, hostname checked
VERIFY=(-CAfile "$C/ca-bundle.pem" -verify_return_error -verify_hostname "$SNI" -servername "$SNI")
# client keystore: leaf + key + intermediate
CLI_CERT=(-cert "$C/client.crt" -key "$C/client.key" -cert_chain "$C/intermediate-ca.crt")
# mTLS server: requires a client certificate chaining to our root.  The CertificateRequest lists
# the subject names of the certificates in -CAfile (here: only the root).
REQUIRE=(-Verify 2 -verify_return_error -CAfile "$C/ca-bundle.pem")
LEGACY=(-cipher 'DEFAULT:@SECLEVEL=0')      # OpenSSL 3: TLS 1.0/1.1, SHA-1, RSA-1024 need level 0
HELLO=("hello from client" "second line from client")
KEYLOG=(); KEYLOGF=""
# keylog NAME: the key log pcaps/NAME.keys, passed to openssl as "${KEYLOG[@]}" (-keylogfile) and
# to curl, python and GnuTLS as $KEYLOGF (SSLKEYLOGFILE / keylog_filename); all of them append
keylog() { rm -f "$HERE/$1.keys"; KEYLOGF=$HERE/$1.keys; KEYLOG=(-keylogfile "$KEYLOGF"); }

# ---- mutual TLS ------------------------------------------------------------------------------
cap_mtls() {
  if want mtls-ok; then
    begin mtls-ok 443
    srv -tls1_2 "${SRV_OK[@]}" "${REQUIRE[@]}"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" "${CLI_CERT[@]}"
    end
  fi
  if want mtls-empty-client-cert; then      # the playbook's bad_certificate case
    begin mtls-empty-client-cert 443
    srv -tls1_2 "${SRV_OK[@]}" "${REQUIRE[@]}"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
  fi
  if want mtls-client-ca-mismatch; then     # client cert from a CA the server does not trust
    begin mtls-client-ca-mismatch 443
    srv -tls1_2 "${SRV_OK[@]}" "${REQUIRE[@]}"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" -cert "$C/other-client.crt" -key "$C/other-client.key"
    end
  fi
  if want mtls-optional-empty; then         # -verify: requested, not required
    begin mtls-optional-empty 443
    srv -tls1_2 "${SRV_OK[@]}" -verify 2 -CAfile "$C/ca-bundle.pem"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
  fi
  if want mtls-ca-list-empty; then          # required, but the CertificateRequest names no CA
    begin mtls-ca-list-empty 443            # (-verifyCAfile: trust store only, no CA list)
    srv -tls1_2 "${SRV_OK[@]}" -Verify 2 -verify_return_error -verifyCAfile "$C/ca-bundle.pem"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" "${CLI_CERT[@]}"
    end
  fi
  if want mtls-many-cas; then               # 301 CA names -> CertificateRequest of ~28 KB
    begin mtls-many-cas 8443
    srv -tls1_2 "${SRV_OK[@]}" -Verify 2 -verify_return_error -CAfile "$WORK/pki/many-cas.pem"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" "${CLI_CERT[@]}"
    end
  fi
  if want mtls-client-no-clientauth-eku; then
    begin mtls-client-no-clientauth-eku 443
    srv -tls1_2 "${SRV_OK[@]}" "${REQUIRE[@]}"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" -cert "$C/client-no-clientauth.crt" \
        -key "$C/client-no-clientauth.key" -cert_chain "$C/intermediate-ca.crt"
    end
  fi
  if want mtls-nginx-verify-on; then        # nginx answers a missing client cert with HTTP 400
    begin mtls-nginx-verify-on 443
    start_nginx "server {
    listen 127.0.0.1:443 ssl;
    server_name $SNI;
    ssl_certificate $C/server-chain.pem;
    ssl_certificate_key $C/server.key;
    ssl_protocols TLSv1.2;
    ssl_verify_client on;
    ssl_client_certificate $C/ca-bundle.pem;
    location / { return 200 \"hello\\n\"; }
  }"
    rm -f "$HERE/mtls-nginx-verify-on.keys"
    SSLKEYLOGFILE=$HERE/mtls-nginx-verify-on.keys timeout "$T_CLI" curl -sS --cacert "$C/ca-bundle.pem" \
        --resolve "$SNI:443:127.0.0.1" -o "$LOGS/$SCEN.body" -w '%{http_code}\n' "https://$SNI/" \
        >"$LOGS/$SCEN.client.log" 2>&1 || true
    end -k
    grep -qx 400 "$LOGS/$SCEN.client.log" || die "$SCEN: expected HTTP 400, got $(cat "$LOGS/$SCEN.client.log")"
  fi
}

# ---- the server's certificate chain ----------------------------------------------------------
# s_server sends -cert first, then -cert_chain exactly in file order (no -build_chain).  Beware:
# WITHOUT -cert_chain, OpenSSL completes the chain from the server's verify store (-CAfile), root
# included -- so the missing-intermediate server must not have our CAs in a -CAfile.
cap_chain() {
  if want server-missing-intermediate; then   # only the leaf; client trusts only the root
    begin server-missing-intermediate 443
    srv -tls1_2 -cert "$C/server.crt" -key "$C/server.key"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
  fi
  if want server-chain-wrong-order; then      # leaf, root, intermediate
    cat "$C/root-ca.crt" "$C/intermediate-ca.crt" > "$WORK/chain-wrong-order.pem"
    begin server-chain-wrong-order 443
    srv -tls1_2 -cert "$C/server.crt" -key "$C/server.key" -cert_chain "$WORK/chain-wrong-order.pem"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
  fi
  if want server-root-included; then          # leaf, intermediate, root
    cat "$C/intermediate-ca.crt" "$C/root-ca.crt" > "$WORK/chain-with-root.pem"
    begin server-root-included 443
    srv -tls1_2 -cert "$C/server.crt" -key "$C/server.key" -cert_chain "$WORK/chain-with-root.pem"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
  fi
  if want server-extra-cert; then             # leaf, intermediate, unrelated Other CA
    cat "$C/intermediate-ca.crt" "$C/other-ca.crt" > "$WORK/chain-extra.pem"
    begin server-extra-cert 443
    srv -tls1_2 -cert "$C/server.crt" -key "$C/server.key" -cert_chain "$WORK/chain-extra.pem"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
  fi
  if want server-self-signed; then
    begin server-self-signed 443
    srv -tls1_2 -cert "$C/server-selfsigned.crt" -key "$C/server-selfsigned.key"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
  fi
}

# ---- validity dates --------------------------------------------------------------------------
LEAF=()
leaf() { LEAF=(-cert "$C/$1.crt" -key "$C/$1.key" -cert_chain "$C/intermediate-ca.crt"); }
cap_dates() {
  local s
  for s in server-expired:server-expired server-not-yet-valid:server-notyetvalid server-expires-soon:server-expiring-soon; do
    want "${s%%:*}" || continue
    begin "${s%%:*}" 443
    leaf "${s#*:}"; srv -tls1_2 "${LEAF[@]}"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
  done
}

# ---- names -----------------------------------------------------------------------------------
# name_case CAPTURE CERT SNI -- the client asks for SNI and checks that name (-verify_hostname)
name_case() {
  want "$1" || return 0
  begin "$1" 443
  leaf "$2"; srv -tls1_2 "${LEAF[@]}"
  cli "${HELLO[@]}" -- -tls1_2 -CAfile "$C/ca-bundle.pem" -verify_return_error -servername "$3" -verify_hostname "$3"
  end
}
cap_names() {
  name_case hostname-mismatch  server          wrong.example.test
  name_case wildcard-too-deep  server-wildcard a.b.example.test
  name_case wildcard-ok        server-wildcard api.example.test
  name_case server-no-san      server-nosan    nosan.example.test
}

# ---- weak crypto -----------------------------------------------------------------------------
cap_weak() {
  if want server-sha1-signed; then     # SHA-1 signed leaf; both sides at OpenSSL's default level
    begin server-sha1-signed 443
    leaf server-sha1; srv -tls1_2 "${LEAF[@]}" "${LEGACY[@]}"    # s_server refuses to load it otherwise
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
  fi
  if want server-weak-key-1024; then   # 1024-bit RSA leaf, SECLEVEL=0 on both sides: completes
    begin server-weak-key-1024 443
    leaf server-rsa1024; srv -tls1_2 "${LEAF[@]}" "${LEGACY[@]}"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" "${LEGACY[@]}"
    end
  fi
}

# ---- key exchange, versions, ciphers, extensions ----------------------------------------------
cap_params() {
  if want server-ecdsa; then            # ECDSA P-256 leaf -> ECDHE-ECDSA suite
    begin server-ecdsa 8443
    leaf server-ecdsa; srv -tls1_2 "${LEAF[@]}"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
  fi
  if want dhe-rsa; then                 # finite-field DHE: ServerKeyExchange carries p, g, Ys
    begin dhe-rsa 4433
    srv -tls1_2 "${SRV_OK[@]}"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" -cipher DHE-RSA-AES256-GCM-SHA384
    end
  fi
  if want ocsp-stapling; then           # status_request -> CertificateStatus with our OCSP response
    begin ocsp-stapling 443
    srv -tls1_2 "${SRV_OK[@]}" -status_file "$C/server-ocsp.der"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" -status
    end
  fi
  if want protocol-version-mismatch; then   # client: TLS 1.0/1.1 only; server: 1.2 and up
    begin protocol-version-mismatch 443
    srv "${SRV_OK[@]}" -min_protocol TLSv1.2
    cli "${HELLO[@]}" -- -max_protocol TLSv1.1 "${LEGACY[@]}" "${VERIFY[@]}"
    end
  fi
  if want tls10-ok; then
    begin tls10-ok 443
    srv -tls1 "${SRV_OK[@]}" "${LEGACY[@]}"
    cli "${HELLO[@]}" -- -tls1 "${LEGACY[@]}" "${VERIFY[@]}"
    end
  fi
  if want no-shared-cipher; then
    begin no-shared-cipher 443
    srv -tls1_2 "${SRV_OK[@]}" -cipher AES256-GCM-SHA384
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" -cipher ECDHE-RSA-AES128-GCM-SHA256
    end
  fi
  if want no-sni; then
    begin no-sni 443
    srv -tls1_2 "${SRV_OK[@]}"
    cli "${HELLO[@]}" -- -tls1_2 -CAfile "$C/ca-bundle.pem" -verify_return_error -verify_hostname "$SNI" -noservername
    end
  fi
  if want alpn-h2; then
    begin alpn-h2 8443
    srv -tls1_2 "${SRV_OK[@]}" -alpn h2
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" -alpn h2,http/1.1
    end
  fi
}

# ---- resumption and renegotiation (TLS 1.2) --------------------------------------------------
cap_resume() {
  if want resumed-session; then         # session-ID resumption (server: no tickets)
    begin resumed-session 4433
    srv -n 2 -tls1_2 "${SRV_OK[@]}" -no_ticket
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" -sess_out "$WORK/sess-id.pem"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" -sess_in "$WORK/sess-id.pem"
    end
    grep -q '^Reused' "$LOGS/$SCEN.client.2.log" || die "$SCEN: second connection not resumed"
  fi
  if want resumed-ticket; then          # RFC 5077 session ticket
    begin resumed-ticket 4433
    srv -n 2 -tls1_2 "${SRV_OK[@]}"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" -sess_out "$WORK/sess-ticket.pem"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}" -sess_in "$WORK/sess-ticket.pem"
    end
    grep -q '^Reused' "$LOGS/$SCEN.client.2.log" || die "$SCEN: second connection not resumed"
  fi
  if want resumed-session-client-tls13; then   # session-ID resumption, the client offering TLS 1.3 too
    begin resumed-session-client-tls13 4433
    srv -n 2 -tls1_2 "${SRV_OK[@]}" -no_ticket
    cli "${HELLO[@]}" -- "${VERIFY[@]}" -sess_out "$WORK/sess-id13.pem"
    cli "${HELLO[@]}" -- "${VERIFY[@]}" -sess_in "$WORK/sess-id13.pem"
    end
    grep -q '^Reused' "$LOGS/$SCEN.client.2.log" || die "$SCEN: second connection not resumed"
  fi
  if want renegotiation; then           # client-initiated renegotiation ('R' on stdin), allowed
    begin renegotiation 443
    srv -tls1_2 "${SRV_OK[@]}" -client_renegotiation
    keylog renegotiation
    cli "hello before renegotiation" R "hello after renegotiation" -- -tls1_2 "${VERIFY[@]}" "${KEYLOG[@]}"
    end
  fi
  if want renegotiation-refused; then   # the same against OpenSSL 3's default server
    begin renegotiation-refused 443
    srv -tls1_2 "${SRV_OK[@]}"
    keylog renegotiation-refused
    cli "hello before renegotiation" R "hello after renegotiation" -- -tls1_2 "${VERIFY[@]}" "${KEYLOG[@]}"
    end
  fi
}

# ---- TLS 1.3 (key logs saved as NAME.keys for decryption) ------------------------------------
cap_tls13() {
  if want tls13-ok; then
    begin tls13-ok 443
    srv -tls1_3 "${SRV_OK[@]}"
    keylog tls13-ok
    cli "${HELLO[@]}" -- -tls1_3 "${VERIFY[@]}" "${KEYLOG[@]}"
    end
  fi
  if want tls13-mtls-no-cert; then      # certificate_required is sent encrypted
    begin tls13-mtls-no-cert 443
    srv -tls1_3 "${SRV_OK[@]}" "${REQUIRE[@]}"
    keylog tls13-mtls-no-cert
    cli "${HELLO[@]}" -- -tls1_3 "${VERIFY[@]}" "${KEYLOG[@]}"
    end
  fi
  if want tls13-hrr; then               # client's key share (P-256) is not acceptable -> HRR
    begin tls13-hrr 8443
    srv -tls1_3 "${SRV_OK[@]}" -groups X25519
    keylog tls13-hrr
    cli "${HELLO[@]}" -- -tls1_3 "${VERIFY[@]}" -groups P-256:X25519 "${KEYLOG[@]}"
    end
  fi
  if want tls13-resumed; then           # PSK resumption with a ticket from the first connection
    begin tls13-resumed 443
    srv -n 2 -tls1_3 "${SRV_OK[@]}"
    keylog tls13-resumed
    cli "${HELLO[@]}" -- -tls1_3 "${VERIFY[@]}" "${KEYLOG[@]}" -sess_out "$WORK/sess13.pem"
    cli "${HELLO[@]}" -- -tls1_3 "${VERIFY[@]}" "${KEYLOG[@]}" -sess_in "$WORK/sess13.pem"
    end
    grep -q '^Reused' "$LOGS/$SCEN.client.2.log" || die "$SCEN: second connection not resumed"
  fi
}

# ---- not TLS on one side, broken connections ------------------------------------------------
cap_misc() {
  if want plain-http-to-tls-port; then      # plain HTTP request to a TLS server
    begin plain-http-to-tls-port 443
    srv "${SRV_OK[@]}"
    timeout "$T_CLI" curl -sS --max-time 10 "http://127.0.0.1:443/" >"$LOGS/$SCEN.client.log" 2>&1 || true
    end
  fi
  if want tls-to-plain-http-port; then      # TLS ClientHello to a plain HTTP server (nginx)
    begin tls-to-plain-http-port 80
    start_nginx "server { listen 127.0.0.1:80; location / { return 200 \"hello\\n\"; } }"
    cli -- "${VERIFY[@]}"
    end -k
  fi
  if want reset-after-client-hello; then    # server reads the ClientHello, then RST (SO_LINGER 0)
    begin reset-after-client-hello 443
    bg python3 -c '
import socket, struct, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
c, _ = s.accept()
c.recv(65536)                                          # the ClientHello
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()                                              # linger 0 => RST instead of FIN
' 443
    cli "${HELLO[@]}" -- "${VERIFY[@]}"
    end
  fi
  if want client-reset-no-alert; then   # client reads the server's flight, then RST: no alert
    begin client-reset-no-alert 443
    srv -tls1_2 "${SRV_OK[@]}"
    # A client TLS stack that drops a handshake it does not like without an alert (seen with
    # some Java, Go and embedded clients): python's ssl on memory BIOs processes the server's
    # flight, then the socket is closed with SO_LINGER 0 instead of sending the client's answer.
    python3 - "$PORT" "$SNI" <<'PY'
import socket, ssl, struct, sys
port, sni = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(inc, out, server_hostname=sni)
def step():
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
s = socket.create_connection(("127.0.0.1", port))
step()
s.sendall(out.read())                     # the ClientHello
while not out.pending:                    # until the client has its answer ready: flight read
    data = s.recv(65536)
    if not data:
        sys.exit("server closed first")
    inc.write(data)
    step()
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()                                 # RST; the answer is never sent
PY
    end -k
  fi
}

# ---- records one per segment ------------------------------------------------------------------
# A TLS 1.2 client whose every record leaves in a TCP segment of its own (python's ssl on memory
# BIOs, the records sent one by one with TCP_NODELAY, as some embedded and Java stacks do): a
# capture that loses one segment loses exactly one record (variant-lost-ccs-*).
cap_records_apart() {
  want tls12-records-one-per-segment || return 0
  begin tls12-records-one-per-segment 443
  srv -tls1_2 "${SRV_OK[@]}"
  LOGREG+=("client|python3 ssl $(python3 -c 'import ssl; print(ssl.OPENSSL_VERSION)')|$LOGS/$SCEN.client.1.log")
  python3 - "$PORT" "$SNI" "$C/ca-bundle.pem" >"$LOGS/$SCEN.client.1.log" 2>&1 <<'PY'
import socket, ssl, struct, sys, time
port, sni, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(inc, out, server_hostname=sni)
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
def send_records():
    data = out.read()
    while data:                       # one record, one segment
        n = 5 + struct.unpack("!H", data[3:5])[0]
        s.sendall(data[:n])
        data = data[n:]
        time.sleep(0.05)
def step(fn, *a):
    while True:
        try:
            r = fn(*a)
            send_records()
            return r
        except ssl.SSLWantReadError:
            send_records()
            d = s.recv(65536)
            if not d:
                sys.exit("server closed")
            inc.write(d)
step(tls.do_handshake)
print(f"handshake: {tls.version()} {tls.cipher()[0]}")
step(tls.write, b"hello from client\n")
print("reply:", step(tls.read, 65536).decode().strip())
try:
    tls.unwrap()
except ssl.SSLWantReadError:
    pass
send_records()
s.close()
PY
  end -k
}

# ---- many interleaved connections ------------------------------------------------------------
# 36 clients started at once against three servers.  s_server handles one connection at a time,
# so TCP handshakes and ClientHellos of all connections interleave while the TLS handshakes are
# served one after another per server (three servers in parallel).
#   443   mTLS required:   10 ok (client chain), 8 empty client Certificate, 6 Other-CA client cert
#   8443  expired server certificate: 6 x client alert certificate_expired
#   4433  TLS 1.3, one-way: 6 ok
MANY_COUNTS="ok:10 empty:8 mismatch:6 expired:6 tls13:6"
cap_many() {
  want many-connections || return 0
  begin many-connections 443 8443 4433
  srv -p 443  -n 24 -tls1_2 "${SRV_OK[@]}" "${REQUIRE[@]}"
  leaf server-expired; srv -p 8443 -n 6  -tls1_2 "${LEAF[@]}"
  srv -p 4433 -n 6  -tls1_3 "${SRV_OK[@]}"
  # a fixed interleaving: round-robin over the outcome kinds until each count is used up
  local -A left=(); local order=() kv k progress=1 i pids=() pid
  for kv in $MANY_COUNTS; do left[${kv%%:*}]=${kv#*:}; done
  while ((progress)); do
    progress=0
    for kv in $MANY_COUNTS; do
      k=${kv%%:*}
      if ((left[$k] > 0)); then order+=("$k"); left[$k]=$((left[$k] - 1)); progress=1; fi
    done
  done
  for i in "${!order[@]}"; do
    (
      CLI_N=$((i * 10))
      case ${order[$i]} in
        ok)       cli -p 443  "conn $i ok" -- -tls1_2 "${VERIFY[@]}" "${CLI_CERT[@]}" ;;
        empty)    cli -p 443  "conn $i" -- -tls1_2 "${VERIFY[@]}" ;;
        mismatch) cli -p 443  "conn $i" -- -tls1_2 "${VERIFY[@]}" -cert "$C/other-client.crt" -key "$C/other-client.key" ;;
        expired)  cli -p 8443 "conn $i" -- -tls1_2 "${VERIFY[@]}" ;;
        tls13)    cli -p 4433 "conn $i ok" -- -tls1_3 "${VERIFY[@]}" ;;
      esac
    ) &
    pids+=($!); BG_PIDS+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || die "$SCEN: a client failed"; forget_pid "$pid"; done
  end
}

# ---- real captures for the link-layer / IP-version variants ----------------------------------
cap_variant_sources() {
  local base=mtls-empty-client-cert
  if want "variant-ipv6-$base"; then          # the same scenario over ::1
    begin "variant-ipv6-$base" 443
    srv -6 -tls1_2 "${SRV_OK[@]}" "${REQUIRE[@]}"
    cli -6 "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
  fi
  if want "variant-sll-$base" || want "variant-sll2-$base"; then
    # one run, three captures on the "any" pseudo-interface: tcpdump's default link type (only
    # reported), forced LINUX_SLL (v1) and forced LINUX_SLL2
    begin -i "-i any -y LINUX_SLL" "variant-sll-$base" 443
    start_tcpdump "$WORK/any-sll2.pcap" "$FILTER" -i any -y LINUX_SLL2
    start_tcpdump "$WORK/any-default.pcap" "$FILTER" -i any
    srv -tls1_2 "${SRV_OK[@]}" "${REQUIRE[@]}"
    cli "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"
    end
    cp "$WORK/any-sll2.pcap" "$HERE/variant-sll2-$base.pcap"
    ANY_DEFAULT_LINKTYPE=$(grep -o 'link-type [A-Z0-9_]*' "$WORK/any-default.pcap.err" | cut -d' ' -f2)
    log "tcpdump -i any without -y writes link-type $ANY_DEFAULT_LINKTYPE"
    [[ $ANY_DEFAULT_LINKTYPE == "$EXPECT_ANY_DEFAULT" ]] ||
      die "tcpdump -i any default link type is $ANY_DEFAULT_LINKTYPE, README says $EXPECT_ANY_DEFAULT"
  fi
}
EXPECT_ANY_DEFAULT=LINUX_SLL2       # what tcpdump 4.99.3 / libpcap 1.10.3 do (see README)

# ---- clients of every kind: one_case -----------------------------------------------------------
# From here on nothing forces a version unless the scenario is about one: both sides negotiate
# TLS 1.3 by default, as users meet it.  Every capture that a tool at either end can write a key
# log for has one (pcaps/NAME.keys): the client writes it, the server when the client is Java;
# nginx + Java is the one pair where nobody can.  The software's own log lines: pcaps/logs/NAME.log.
#
# client_cert_args CLIENT CERT -- the arguments that give CLIENT the certificate CERT (a certs/
# name: client, other-client, client-expired, client-no-clientauth; "none": no certificate).  The
# chain sent is the leaf and its issuing CA unless that is the root (other-client).
client_cert_args() {
  CERT_ARGS=()
  [[ $2 == none ]] && return 0
  local chain=$WORK/$2-chain.pem ca=intermediate-ca
  [[ $2 == other-client ]] && ca=other-ca
  [[ -f $chain ]] || cat "$C/$2.crt" "$C/$ca.crt" > "$chain"
  case $1 in
    openssl) CERT_ARGS=(-cert "$C/$2.crt" -key "$C/$2.key")
             if [[ $ca == intermediate-ca ]]; then CERT_ARGS+=(-cert_chain "$C/$ca.crt"); fi ;;
    curl)    CERT_ARGS=(--cert "$chain" --key "$C/$2.key") ;;
    python)  CERT_ARGS=(--cert "$chain" --key "$C/$2.key") ;;
    java)    CERT_ARGS=("$2") ;;
  esac
}
# one_case [-n] CAPTURE CLIENT NAME CERT SERVER-ARGS...
#   one connection: openssl s_server with SERVER-ARGS (-rev with two lines of data for s_client,
#   -www for the HTTP clients curl, python, java), CLIENT asking for NAME with certificate CERT.
#   -n: no key log.
one_case() {
  local keys=1; [[ $1 == -n ]] && { keys=0; shift; }
  local scen=$1 client=$2 name=$3 cert=$4; shift 4
  want "$scen" || return 0
  begin "$scen" 443
  ((keys)) && keylog "$scen"
  client_cert_args "$client" "$cert"
  local verify=(-CAfile "$C/ca-bundle.pem" -verify_return_error -servername "$name" -verify_hostname "$name")
  case $client in
    openssl) srv "$@"; cli "${HELLO[@]}" -- "${verify[@]}" "${CERT_ARGS[@]}" "${KEYLOG[@]}" ;;
    curl)    srv -m www "$@"; curl_cli "$name" "${CERT_ARGS[@]}" ;;
    python)  srv -m www "$@"; py_cli "$name" "${CERT_ARGS[@]}" ;;
    java)    srv -m www "$@" "${KEYLOG[@]}"; java_cli "$name" "${CERT_ARGS[@]}" ;;
  esac
  end
}

# ---- TLS 1.3 client certificates, as curl, python, Java and openssl meet them -----------------
# The mTLS server is s_server "${REQUIRE[@]}" (CertificateRequest with certificate_authorities =
# the root).  An OpenSSL client sends whatever certificate it was given; Java sends an empty
# Certificate when its keystore has no certificate from an acceptable CA.
cap_tls13_mtls() {
  local cl
  for cl in openssl curl python java; do
    one_case "tls13-mtls-empty-$cl" "$cl" "$SNI" none "${SRV_OK[@]}" "${REQUIRE[@]}"
  done
  one_case tls13-mtls-empty-java-other-ca java "$SNI" other-client "${SRV_OK[@]}" "${REQUIRE[@]}"
  one_case tls13-mtls-client-ca-mismatch openssl "$SNI" other-client "${SRV_OK[@]}" "${REQUIRE[@]}"
  one_case tls13-mtls-client-expired openssl "$SNI" client-expired "${SRV_OK[@]}" "${REQUIRE[@]}"
  one_case tls13-mtls-client-no-clientauth-eku openssl "$SNI" client-no-clientauth "${SRV_OK[@]}" "${REQUIRE[@]}"
  # no certificate_authorities at all (-verifyCAfile): Java then offers the Other-CA certificate
  one_case tls13-mtls-ca-list-empty-java java "$SNI" other-client "${SRV_OK[@]}" \
      -Verify 2 -verify_return_error -verifyCAfile "$C/ca-bundle.pem"
  one_case tls13-mtls-ok openssl "$SNI" client "${SRV_OK[@]}" "${REQUIRE[@]}"
  one_case tls13-mtls-ok-curl curl "$SNI" client "${SRV_OK[@]}" "${REQUIRE[@]}"
  one_case tls13-mtls-ok-java java "$SNI" client "${SRV_OK[@]}" "${REQUIRE[@]}"
  for cl in curl python java; do      # one-way TLS that works (tls13-ok is s_client's)
    one_case "tls13-ok-$cl" "$cl" "$SNI" none "${SRV_OK[@]}"
  done
}

# ---- TLS 1.3: the client rejects the server's certificate --------------------------------------
# missing intermediate (the server sends only its leaf), name mismatch (the client asks for
# api.example.test; the certificate is for server.example.test), self-signed server certificate.
# s_client runs with -verify_return_error, as curl, python and Java verify by default.
BADNAME=api.example.test
cap_tls13_server_rejected() {
  local cl
  for cl in openssl curl python java; do
    one_case "tls13-server-missing-intermediate-$cl" "$cl" "$SNI" none -cert "$C/server.crt" -key "$C/server.key"
    one_case "tls13-hostname-mismatch-$cl" "$cl" "$BADNAME" none "${SRV_OK[@]}"
    one_case "tls13-server-self-signed-$cl" "$cl" "$SNI" none -cert "$C/server-selfsigned.crt" -key "$C/server-selfsigned.key"
  done
}

# ---- TLS 1.3: the server's certificate itself is wrong (the TLS 1.2 captures of cap_chain,
# cap_dates, cap_names and cap_weak, as curl, Java and openssl meet them by default) ------------
# Each leaf is sent with the intermediate (the chain captures: leaf, root, intermediate; leaf,
# intermediate, root); the SHA-1 and RSA-1024 leaves need s_server at
# security level 0 to load them (the client keeps its default).  A wildcard too deep asks for
# a.b.example.test against *.example.test; the certificate without SAN has only CN=nosan.example.test.
cap_tls13_server_cert() {
  local cl
  for cl in openssl curl java; do
    leaf server-expired;      one_case "tls13-server-expired-$cl" "$cl" "$SNI" none "${LEAF[@]}"
    leaf server-notyetvalid;  one_case "tls13-server-not-yet-valid-$cl" "$cl" "$SNI" none "${LEAF[@]}"
    [[ -f $WORK/chain-wrong-order.pem ]] || cat "$C/root-ca.crt" "$C/intermediate-ca.crt" > "$WORK/chain-wrong-order.pem"
    one_case "tls13-server-chain-wrong-order-$cl" "$cl" "$SNI" none \
        -cert "$C/server.crt" -key "$C/server.key" -cert_chain "$WORK/chain-wrong-order.pem"
    leaf server-wildcard;     one_case "tls13-wildcard-too-deep-$cl" "$cl" a.b.example.test none "${LEAF[@]}"
    leaf server-sha1;         one_case "tls13-server-sha1-signed-$cl" "$cl" "$SNI" none "${LEAF[@]}" "${LEGACY[@]}"
  done
  [[ -f $WORK/chain-with-root.pem ]] || cat "$C/intermediate-ca.crt" "$C/root-ca.crt" > "$WORK/chain-with-root.pem"
  for cl in curl java; do   # the root sent too: harmless, every client completes
    one_case "tls13-server-root-included-$cl" "$cl" "$SNI" none \
        -cert "$C/server.crt" -key "$C/server.key" -cert_chain "$WORK/chain-with-root.pem"
  done
  for cl in openssl curl java python; do
    leaf server-nosan;        one_case "tls13-server-no-san-$cl" "$cl" nosan.example.test none "${LEAF[@]}"
  done
  for cl in curl java; do
    leaf server-rsa1024;      one_case "tls13-server-weak-key-1024-$cl" "$cl" "$SNI" none "${LEAF[@]}" "${LEGACY[@]}"
  done
}

# ---- protocol versions where one side is TLS 1.3-only -------------------------------------------
cap_versions13() {
  if want protocol-version-server-tls13-only; then   # curl limited to TLS 1.2, server 1.3 only
    begin protocol-version-server-tls13-only 443
    srv -m www -tls1_3 "${SRV_OK[@]}"
    curl_cli "$SNI" --tls-max 1.2
    end
  fi
  if want protocol-version-client-tls13-only-java; then   # Java TLS 1.3 only, server 1.2 only
    begin protocol-version-client-tls13-only-java 443
    srv -m www -tls1_2 "${SRV_OK[@]}"
    JAVA_OPTS=(-Djdk.tls.client.protocols=TLSv1.3); java_cli "$SNI"; JAVA_OPTS=()
    end
  fi
}

# ---- nginx: client certificates checked after the handshake ------------------------------------
# nginx_mtls PROTOCOLS VERIFY [LISTEN-FLAGS] -- ssl_verify_client VERIFY (on | optional) with the
# root as ssl_client_certificate; nginx completes the handshake whatever the client sends and
# answers 400 inside TLS when the certificate is missing or does not verify.
nginx_mtls() {
  start_nginx "server {
    listen 127.0.0.1:$PORT ssl ${3:-};
    server_name $SNI;
    ssl_certificate $C/server-chain.pem;
    ssl_certificate_key $C/server.key;
    ssl_protocols $1;
    ssl_verify_client $2;
    ssl_client_certificate $C/ca-bundle.pem;
    location / { return 200 \"hello\\n\"; }
  }"
}
# nginx_case [-n] CAPTURE PROTOCOLS VERIFY LISTEN-FLAGS CLIENT CERT [client args...] -- then the
# HTTP status the client got must be EXPECT (curl's -w line / Java's status line)
nginx_case() {
  local keys=1; [[ $1 == -n ]] && { keys=0; shift; }
  local scen=$1 protos=$2 verify=$3 flags=$4 client=$5 cert=$6 expect=$7; shift 7
  want "$scen" || return 0
  begin "$scen" 443
  ((keys)) && keylog "$scen"
  nginx_mtls "$protos" "$verify" "$flags"
  client_cert_args "$client" "$cert"
  case $client in
    curl) curl_cli "$SNI" "${CERT_ARGS[@]}" "$@" ;;
    java) java_cli "$SNI" "${CERT_ARGS[@]}" ;;
  esac
  end -k
  grep -qE "(HTTP status |HTTP/1\.[01] )$expect" "$CLOG" || die "$SCEN: expected HTTP $expect, got: $(cat "$CLOG")"
}
cap_nginx() {
  nginx_case nginx-tls13-verify-on-no-cert "TLSv1.2 TLSv1.3" on "" curl none 400
  nginx_case nginx-tls13-verify-on-untrusted-cert "TLSv1.2 TLSv1.3" on "" curl other-client 400
  nginx_case nginx-tls12-verify-on-untrusted-cert TLSv1.2 on "" curl other-client 400
  nginx_case nginx-tls13-verify-optional-no-cert "TLSv1.2 TLSv1.3" optional "" curl none 200
  nginx_case nginx-tls13-h2-verify-on-no-cert "TLSv1.2 TLSv1.3" on http2 curl none 400 --http2
  # Java client, nginx server: neither can write a key log; the typical support capture
  nginx_case -n nginx-tls13-verify-on-no-cert-java "TLSv1.2 TLSv1.3" on "" java none 400
  # a client that agrees to h2 in ALPN, then sends an HTTP/1.1 request (as a proxy that passes the
  # client's ALPN through does): nginx answers its SETTINGS with GOAWAY PROTOCOL_ERROR and closes
  if want nginx-tls13-h2-http1-request; then
    begin nginx-tls13-h2-http1-request 443
    keylog nginx-tls13-h2-http1-request
    nginx_mtls "TLSv1.2 TLSv1.3" off http2
    next_client_log "openssl s_client $OPENSSL_V"
    { printf 'GET / HTTP/1.1\r\nHost: %s\r\n\r\n' "$SNI"; sleep 2; } |
      timeout "$T_CLI" openssl s_client -connect "127.0.0.1:$PORT" -alpn h2 -quiet "${VERIFY[@]}" \
        "${KEYLOG[@]}" >"$CLOG.out" 2>&1 || true
    grep -a 'verify\|ALPN\|error' "$CLOG.out" >"$CLOG" || true
    rm -f "$CLOG.out"
    end -k
  fi
}

# ---- TLS 1.2 rejected after the handshake --------------------------------------------------------
cap_after_handshake12() {
  # curl checks the name after the handshake (its own check, not OpenSSL's): alert after Finished
  if want tls12-hostname-mismatch-curl; then
    begin tls12-hostname-mismatch-curl 443
    keylog tls12-hostname-mismatch-curl
    srv -m www "${SRV_OK[@]}"
    curl_cli "$BADNAME" --tlsv1.2 --tls-max 1.2
    end
  fi
}

# ---- cipher suites, each with its key log ----------------------------------------------------
# suite_case CAPTURE LEAF ARGS... -- s_server -rev with the certs/ LEAF (+ intermediate), s_client
# sending two lines; ARGS (version, suite, -no_etm) go to both sides
suite_case() {
  local scen=$1 leafname=$2; shift 2
  want "$scen" || return 0
  begin "$scen" 443
  keylog "$scen"
  leaf "$leafname"; srv "${LEAF[@]}" "$@"
  cli "${HELLO[@]}" -- "${VERIFY[@]}" "$@" "${KEYLOG[@]}"
  end
}
cap_suites() {
  suite_case suite-tls13-aes-128-gcm server -ciphersuites TLS_AES_128_GCM_SHA256
  suite_case suite-tls13-aes-256-gcm server -ciphersuites TLS_AES_256_GCM_SHA384
  suite_case suite-tls13-chacha20-poly1305 server -ciphersuites TLS_CHACHA20_POLY1305_SHA256
  suite_case suite-tls13-aes-128-ccm server -ciphersuites TLS_AES_128_CCM_SHA256
  suite_case suite-tls13-aes-128-ccm-8 server -ciphersuites TLS_AES_128_CCM_8_SHA256
  suite_case suite-tls12-ecdhe-rsa-aes128-gcm server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
  suite_case suite-tls12-ecdhe-rsa-aes256-gcm server -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
  suite_case suite-tls12-ecdhe-rsa-chacha20 server -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
  suite_case suite-tls12-ecdhe-ecdsa-aes128-ccm server-ecdsa -tls1_2 -cipher ECDHE-ECDSA-AES128-CCM
  suite_case suite-tls12-ecdhe-ecdsa-aes128-ccm8 server-ecdsa -tls1_2 -cipher ECDHE-ECDSA-AES128-CCM8
  suite_case suite-tls12-cbc-etm server -tls1_2 -cipher ECDHE-RSA-AES128-SHA256
  suite_case suite-tls12-cbc-mte server -tls1_2 -cipher ECDHE-RSA-AES128-SHA256 -no_etm
  suite_case suite-tls12-rsa-kx server -tls1_2 -cipher AES128-GCM-SHA256
  suite_case suite-tls11-cbc-etm server -tls1_1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'
  suite_case suite-tls10-cbc-mte server -tls1 -cipher 'ECDHE-RSA-AES256-SHA:@SECLEVEL=0' -no_etm
}

# ---- TLS 1.3 after the handshake: KeyUpdate, 0-RTT ------------------------------------------------
cap_tls13_features() {
  if want tls13-keyupdate; then     # s_client "k" (update_not_requested) and "K" (update_requested)
    begin tls13-keyupdate 443
    keylog tls13-keyupdate
    srv "${SRV_OK[@]}"
    cli "before the key update" k "after k" K "after K" -- "${VERIFY[@]}" "${KEYLOG[@]}"
    end
    grep -c '^KEYUPDATE' "$LOGS/$SCEN.client.1.log" | grep -qx 2 || die "$SCEN: two KeyUpdates expected"
  fi
  if want tls13-early-data; then    # a ticket from connection 1, 0-RTT data in connection 2
    begin tls13-early-data 443
    keylog tls13-early-data
    printf 'GET /early HTTP/1.0\r\n\r\n' > "$WORK/early.txt"
    rm -f "$WORK/sess-early.pem"
    srv -n 2 -m plain "${SRV_OK[@]}" -early_data
    # s_client writes -sess_out when the server's NewSessionTicket arrives
    cli "@test -s $WORK/sess-early.pem" -- "${VERIFY[@]}" "${KEYLOG[@]}" -sess_out "$WORK/sess-early.pem"
    cli -- "${VERIFY[@]}" "${KEYLOG[@]}" -sess_in "$WORK/sess-early.pem" -early_data "$WORK/early.txt"
    end
    grep -q '^Early data was accepted' "$LOGS/$SCEN.client.2.log" || die "$SCEN: early data not accepted"
  fi
}
# ---- key logs: embedded, partial, wrong ---------------------------------------------------------
cap_keylogs() {
  # the key log of tls13-mtls-empty-curl embedded in a pcapng as a Decryption Secrets Block: made
  # again whenever its source is
  if want tls13-keylog-embedded || want tls13-mtls-empty-curl; then
    local src=$HERE/tls13-mtls-empty-curl
    [[ -f $src.pcap && -f $src.keys ]] || die "tls13-keylog-embedded needs tls13-mtls-empty-curl.pcap and .keys"
    log "tls13-keylog-embedded.pcapng = tls13-mtls-empty-curl.pcap + .keys (editcap --inject-secrets)"
    editcap --inject-secrets "tls,$src.keys" "$src.pcap" "$HERE/tls13-keylog-embedded.pcapng"
  fi
  if want tls13-keylog-partial; then   # 3 connections; the 2nd client writes no key log
    begin tls13-keylog-partial 443
    keylog tls13-keylog-partial
    srv -n 3 "${SRV_OK[@]}" "${REQUIRE[@]}"
    cli "${HELLO[@]}" -- "${VERIFY[@]}" "${CLI_CERT[@]}" "${KEYLOG[@]}"    # mTLS ok, keys
    cli "${HELLO[@]}" -- "${VERIFY[@]}"                                     # no certificate, NO keys
    cli "${HELLO[@]}" -- "${VERIFY[@]}" "${KEYLOG[@]}"                      # no certificate, keys
    end
  fi
  if want tls13-keylog-wrong; then     # the key log of a rehearsal, the capture of the next run
    begin tls13-keylog-wrong 443
    keylog tls13-keylog-wrong
    srv "${SRV_OK[@]}" "${REQUIRE[@]}"
    cli "${HELLO[@]}" -- "${VERIFY[@]}" "${KEYLOG[@]}"
    end -n
    begin tls13-keylog-wrong 443       # same scenario again; its own secrets are thrown away
    srv "${SRV_OK[@]}" "${REQUIRE[@]}"
    cli "${HELLO[@]}" -- "${VERIFY[@]}" -keylogfile "$WORK/tls13-keylog-wrong.own.keys"
    end
  fi
}

# ---- GnuTLS without a client certificate against a server that requires one ---------------------
# gnutls-cli against gnutls-serv (--require-client-cert), and against s_server "${REQUIRE[@]}"
cap_gnutls() {
  local v prio
  for v in 13 12; do
    prio=(); [[ $v == 12 ]] && prio=(--priority NORMAL:-VERS-TLS1.3)
    if want "gnutls-tls$v-mtls-no-cert"; then
      begin "gnutls-tls$v-mtls-no-cert" 443
      keylog "gnutls-tls$v-mtls-no-cert"
      gnutls_srv --require-client-cert --verify-client-cert --x509cafile "$C/ca-bundle.pem"
      gnutls_cli "$SNI" "${prio[@]}"
      end -k
    fi
    if want "gnutls-cli-to-openssl-tls$v-mtls-no-cert"; then
      begin "gnutls-cli-to-openssl-tls$v-mtls-no-cert" 443
      keylog "gnutls-cli-to-openssl-tls$v-mtls-no-cert"
      srv -m www "${SRV_OK[@]}" "${REQUIRE[@]}"
      gnutls_cli "$SNI" "${prio[@]}"
      end
    fi
  done
}

# ---- plain HTTP to TLS ports other than 443 ------------------------------------------------------
plain_curl() {   # plain_curl URL -- curl speaking plain HTTP
  next_client_log "curl $CURL_V"
  timeout "$T_CLI" curl -sS --max-time 10 -o "$CLOG.body" -w 'curl: HTTP status %{http_code}\n' "$1" \
      >"$CLOG" 2>&1 || true
  curl_title
}
cap_plain_http() {
  if want plain-http-to-nginx-8443; then    # nginx answers 400 "plain HTTP request ... HTTPS port"
    begin plain-http-to-nginx-8443 8443
    start_nginx "server {
    listen 127.0.0.1:8443 ssl;
    server_name $SNI;
    ssl_certificate $C/server-chain.pem;
    ssl_certificate_key $C/server.key;
    location / { return 200 \"hello\\n\"; }
  }"
    plain_curl "http://127.0.0.1:8443/"
    end -k
    grep -q 'HTTP status 400' "$CLOG" || die "$SCEN: expected HTTP 400, got $(cat "$CLOG")"
  fi
  if want plain-http-to-tls-9000; then      # s_server on 9000 just closes
    begin plain-http-to-tls-9000 9000
    srv -m www "${SRV_OK[@]}"
    plain_curl "http://127.0.0.1:9000/"
    end
  fi
}

# ---- Java as the server: needClientAuth --------------------------------------------------------
cap_java_server() {
  local v
  for v in 13:TLSv1.3 12:TLSv1.2; do
    if want "java-server-tls${v%%:*}-no-client-cert"; then
      begin "java-server-tls${v%%:*}-no-client-cert" 8443
      keylog "java-server-tls${v%%:*}-no-client-cert"
      java_srv 1 "${v#*:}"
      curl_cli "$SNI"
      end
    fi
  done
  if want java-server-tls13-mtls-ok; then
    begin java-server-tls13-mtls-ok 8443
    keylog java-server-tls13-mtls-ok
    java_srv 1
    client_cert_args curl client; curl_cli "$SNI" "${CERT_ARGS[@]}"
    end
  fi
}

# ---- a busy capture: 20 interleaved TLS 1.3 connections of 4 kinds, one key log -------------------
#   443   mTLS required:  mtls-ok (client chain) | mtls-empty (no client certificate)
#   8443  one-way:        ok | name (the client asks for api.example.test: bad_certificate)
# Started at once, round-robin over the kinds; every s_client appends to the one key log.
BUSY_KINDS=(mtls-ok mtls-empty ok name)
# ---- the capture's clock (issue 13) -----------------------------------------------------------
# Six connections, the capturing host's clock two years behind (editcap -t, as
# tests/data/clock-behind.pcap): first a client that does not trust the chain (unknown_ca) and one
# refusing a certificate really not yet valid (notBefore 2030: bad_certificate), then four handshakes
# that complete, which show the clock is behind. Only the 2030 certificate is not yet valid.
cap_clock() {
  want clock-behind-many || return 0
  begin clock-behind-many 443 8443
  srv -p 443 -n 5 -tls1_2 "${SRV_OK[@]}"
  leaf server-notyetvalid; srv -p 8443 -n 1 -tls1_2 "${LEAF[@]}"
  cli -p 443 -- -tls1_2 -CAfile "$C/other-ca.crt" -verify_return_error -servername "$SNI"
  cli -p 8443 -- -tls1_2 "${VERIFY[@]}"
  local i
  for i in 1 2 3 4; do cli -p 443 "${HELLO[@]}" -- -tls1_2 "${VERIFY[@]}"; done
  end
  editcap -t -63072000 "$HERE/clock-behind-many.pcap" "$WORK/clock-shifted.pcap"
  mv "$WORK/clock-shifted.pcap" "$HERE/clock-behind-many.pcap"
}

cap_busy() {
  want tls13-busy || return 0
  begin tls13-busy 443 8443
  keylog tls13-busy
  srv -p 443 -n 10 "${SRV_OK[@]}" "${REQUIRE[@]}"
  srv -p 8443 -n 10 "${SRV_OK[@]}"
  local i pids=() pid bad=(-CAfile "$C/ca-bundle.pem" -verify_return_error -servername "$BADNAME" -verify_hostname "$BADNAME")
  for i in $(seq 0 19); do
    (
      CLI_N=$((i * 10))
      case ${BUSY_KINDS[$((i % 4))]} in
        mtls-ok)    cli -p 443  "conn $i ok" -- "${VERIFY[@]}" "${CLI_CERT[@]}" "${KEYLOG[@]}" ;;
        mtls-empty) cli -p 443  "conn $i" -- "${VERIFY[@]}" "${KEYLOG[@]}" ;;
        ok)         cli -p 8443 "conn $i ok" -- "${VERIFY[@]}" "${KEYLOG[@]}" ;;
        name)       cli -p 8443 "conn $i" -- "${bad[@]}" "${KEYLOG[@]}" ;;
      esac
    ) &
    pids+=($!); BG_PIDS+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || die "$SCEN: a client failed"; forget_pid "$pid"; done
  for i in $(seq 0 19); do    # the subshells' logs (their LOGREG is lost with them)
    LOGREG+=("client|openssl s_client $OPENSSL_V|$LOGS/$SCEN.client.$((i * 10 + 1)).log")
  done
  end
}

###############################################################################################
# 6. variants made from the real captures
###############################################################################################
# All from mtls-empty-client-cert.pcap (the playbook's central case), so every variant must still
# lead to the same diagnosis -- or, where bytes are missing, to an honest "cannot tell".
tshark_frame() {   # tshark_frame FILE DISPLAY-FILTER -> first matching frame number
  tshark -n -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | head -1
}
make_variants() {
  local base=mtls-empty-client-cert
  local B=$HERE/$base.pcap V=$HERE/variant
  [[ -f $B ]] || die "variants need $B"
  log "variants of $base"
  editcap -F pcapng   "$B" "$V-pcapng-$base.pcapng"          # pcapng (SHB/IDB/EPB)
  editcap -F nsecpcap "$B" "$V-nsec-$base.pcap"               # magic a1b23c4d, ns timestamps
  python3 "$TOOL" bigendian "$B" "$V-bigendian-$base.pcap"     # magic a1b2c3d4 stored big-endian
  python3 "$TOOL" vlan      "$B" "$V-vlan-$base.pcap"          # 802.1Q tag, VLAN 100
  python3 "$TOOL" qinq      "$B" "$V-qinq-$base.pcap"          # 802.1ad S-tag 200 + C-tag 100
  python3 "$TOOL" rawip     "$B" "$V-rawip-$base.pcap"         # LINKTYPE_RAW (101)
  python3 "$TOOL" null      "$B" "$V-null-$base.pcap"          # LINKTYPE_NULL (0), BSD loopback
  python3 "$TOOL" reorder   "$B" "$V-reordered-$base.pcap" 443 # swapped + duplicated segments
  python3 "$TOOL" drop-cert "$B" "$V-lost-segment-$base.pcap" 443   # capture loss
  python3 "$TOOL" dup       "$B" "$V-duplicated-$base.pcap"    # every packet twice (-i any on a router)
  python3 "$TOOL" dup-rewrite "$B" "$V-duplicated-rewritten-$base.pcap" 443 -123456789   # both sides of an ISN-rewriting firewall
  python3 "$TOOL" drop-client-cert "$B" "$V-no-client-certificate-$base.pcap" 443   # Certificate skipped
  editcap -s 96 "$B" "$V-snaplen96-$base.pcap"                 # every frame cut to 96 bytes
  local ch alert
  ch=$(tshark_frame "$B" 'tls.handshake.type == 1')
  alert=$(tshark_frame "$B" 'tls.alert_message')
  [[ -n $ch && -n $alert ]] || die "cannot find ClientHello / alert frames in $B"
  python3 "$TOOL" midstream "$B" "$V-midstream-no-syn-$base.pcap" $((ch - 1))     # starts at the ClientHello
  python3 "$TOOL" midstream "$B" "$V-midstream-no-client-hello-$base.pcap" "$ch"  # starts after it
  python3 "$TOOL" drop      "$B" "$V-lost-client-hello-$base.pcap" "$ch"     # the client's first segment lost
  python3 "$TOOL" cut "$B" "$V-truncated-file-$base.pcap" "$alert"  # file ends inside the alert's record
  gzip -9 -n -c "$B" > "$V-gzip-$base.pcap.gz"
  one_side_variants
  tls13_cut_variants
}

# TLS 1.3 without keys, the capture stopped before any close: right after the client's second
# flight (no verdict yet), and right after the server's alert-sized record (a live -w file that
# stopped writing at the report). Frames from tshark: the client's flight, the server's alert.
tls13_cut_variants() {
  local t=$HERE/tls13-mtls-empty-openssl.pcap k=$HERE/tls13-mtls-empty-openssl.keys fin alert
  [[ -f $t && -f $k ]] || die "TLS 1.3 cut variants need $t and its key log"
  fin=$(tshark -n -r "$t" -o "tls.keylog_file:$k" -Y 'tcp.dstport == 443 && tls.handshake.type == 20' \
    -T fields -e frame.number 2>/dev/null | head -1)
  alert=$(tshark -n -r "$t" -o "tls.keylog_file:$k" -Y 'tls.alert_message' -T fields -e frame.number 2>/dev/null | head -1)
  [[ -n $fin && -n $alert ]] || die "cannot find the client's Finished / the alert in $t"
  editcap -F pcap -r "$t" "$V-cut-after-client-finished-tls13-mtls-empty-openssl.pcap" "1-$fin"
  editcap -F pcap -r "$t" "$V-cut-before-close-tls13-mtls-empty-openssl.pcap" "1-$alert"
}

# A capture of one direction only (an asymmetric route, a SPAN port of one link) and a lost
# ChangeCipherSpec: the encrypted Finished after it must stay encrypted.
one_side_variants() {
  local r=$HERE/resumed-session-client-tls13.pcap a=$HERE/tls12-records-one-per-segment.pcap ccs app
  [[ -f $r && -f $a ]] || die "one-side variants need $r and $a"
  tshark -n -r "$r" -Y 'tcp.dstport == 4433' -w "$V-client-side-only-resumed-session-client-tls13.pcap" -F pcap
  tshark -n -r "$r" -Y 'tcp.srcport == 4433' -w "$V-server-side-only-resumed-session-client-tls13.pcap" -F pcap
  ccs=$(tshark_frame "$a" 'tcp.dstport == 443 && tls.record.content_type == 20')
  [[ -n $ccs ]] || die "no client ChangeCipherSpec in $a"
  python3 "$TOOL" drop "$a" "$V-lost-ccs-tls12-records-one-per-segment.pcap" "$ccs"
  app=$(tshark_frame "$a" 'tcp.dstport == 443 && tls.record.content_type == 23')
  [[ -n $app ]] || die "no client application data in $a"
  python3 "$TOOL" drop "$a" "$V-lost-appdata-tls12-records-one-per-segment.pcap" "$app"
}

###############################################################################################
# 7. verification, README, main
###############################################################################################
# Every file in pcaps/ must be listed in expectations.txt, and every listed file must dissect (with
# tshark) to what the scenario promises.  pcaptool.py prints one line per file.
verify_all() {
  log "verifying every capture with tshark (expectations.txt)"
  local f listed
  listed=$(sed -n 's/^file: *//p' "$HERE/expectations.txt")
  for f in "$HERE"/*.pcap "$HERE"/*.pcapng "$HERE"/*.pcap.gz; do
    [[ -e $f ]] || continue
    grep -qxF "$(basename "$f")" <<<"$listed" || die "$(basename "$f") is not in expectations.txt"
  done
  for f in "$HERE"/logs/*.log; do      # a log belongs to a capture
    [[ -e $f ]] || continue
    ls "$HERE/$(basename "$f" .log)".pcap* >/dev/null 2>&1 || die "$f: no capture of that name"
  done
  for f in "$HERE"/*.keys; do
    [[ -s $f ]] || die "empty key log $f"
    grep -q '^CLIENT_\|^SERVER_\|^EXPORTER_\|^CLIENT_RANDOM' "$f" || die "$f is not an NSS key log"
  done
  # one tshark pass per file serves both the check and the README table (written only if all pass)
  local readme=(); ((WRITE_README)) && readme=("$HERE/README.md")
  python3 "$TOOL" check "$HERE/expectations.txt" "${readme[@]}" || die "verification failed"
}

clean_outputs() {   # everything this script generates in pcaps/ (nothing else is touched)
  # starttls-*.pcap and proxy-v*.pcap are made by starttls-scenarios.sh with
  # servers of their own (PostgreSQL, slapd, haproxy): kept, and made again
  # by that script (after a full run here, whose new certs they must use)
  local f
  for f in "$HERE"/*.pcap "$HERE"/*.pcapng "$HERE"/*.pcap.gz "$HERE"/*.keys; do
    case ${f##*/} in starttls-*.pcap|proxy-v*.pcap) continue ;; esac
    rm -f "$f"
  done
  rm -f "$HERE"/logs/*.log
  rm -rf "$CERTS"
  log "pcaps/certs is made anew: run pcaps/starttls-scenarios.sh afterwards for the STARTTLS and PROXY captures"
}

main() {
  [[ $(id -u) == 0 ]] || die "must run as root (apt-get, network namespace, tcpdump)"
  if [[ -z ${TLSDIAG_NETNS:-} ]]; then install_deps; fi
  enter_netns "$@"                       # re-executes this script in a new network namespace
  WORK=$(mktemp -d /tmp/tlsdiag-pcaps.XXXXXX)
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  LOGS=$WORK/logs; mkdir -p "$LOGS"
  local t0=$SECONDS
  if [[ -z $ONLY ]]; then
    clean_outputs
    make_pki
  else
    [[ -f $CERTS/server.crt ]] || die "--only needs an existing PKI; run without --only first"
  fi
  make_many_cas
  make_pki_extra
  tool_versions
  cap_mtls; cap_chain; cap_dates; cap_names; cap_weak; cap_params; cap_resume; cap_tls13
  cap_misc; cap_many; cap_variant_sources
  cap_tls13_mtls; cap_tls13_server_rejected; cap_tls13_server_cert; cap_versions13; cap_nginx; cap_after_handshake12
  cap_suites; cap_tls13_features; cap_keylogs; cap_gnutls; cap_plain_http; cap_java_server; cap_busy
  cap_clock
  cap_records_apart
  make_variants
  verify_all
  log "done in $((SECONDS - t0)) s: $(ls "$HERE"/*.pcap* | wc -l) capture files, $(du -sh "$HERE" | cut -f1) in $HERE"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "${ARGS[@]}"; fi
