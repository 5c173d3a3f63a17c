#!/bin/sh
# live.sh - tlsdiag -i lo against a real failing mTLS handshake: the streamed
# finding, JSON Lines, the -w capture (re-read by tlsdiag and tshark) and a
# clean exit with the summary on SIGINT. Needs capture rights (root or
# CAP_NET_RAW); elsewhere it says so and is skipped.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
certs=$srcdir/pcaps/certs
tmp=$(mktemp -d) || exit 99
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.out "$tmp"/*.err; do [ -f "$f" ] && { echo "--- $f"; case $f in */00-*) head -c 8000 "$f" ;; *) head -c 3000 "$f" ;; esac; echo; }; done; exit 1; }

command -v openssl >/dev/null || { echo "SKIP: openssl is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
if ! "$TLSDIAG" -D 2>/dev/null | grep -q '^[0-9]*\.lo\b'; then
	echo "SKIP: cannot list capture devices here"
	exit 77
fi
if [ "$(id -u)" != 0 ] && ! { command -v capsh >/dev/null && capsh --print | grep -q cap_net_raw; }; then
	echo "SKIP: live capture needs root or CAP_NET_RAW (CI runs this test as root)"
	exit 77
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# 1. tlsdiag listens on loopback, filter on the port, JSON Lines, -w
"$TLSDIAG" -i lo --json -w "$tmp/failures.pcap" tcp port "$port" >"$tmp/live.out" 2>"$tmp/live.err" &
td=$!
# ... and a second one writing ECS events, as a log shipper would tail them
"$TLSDIAG" -i lo --format ecs tcp port "$port" >"$tmp/ecs.out" 2>"$tmp/ecs.err" &
te=$!
# ... and a third in text, as a person at a terminal runs it
"$TLSDIAG" -i lo tcp port "$port" >"$tmp/text.out" 2>"$tmp/text.err" &
tt=$!
pids="$td $te $tt"
i=0
until grep -q "listening on" "$tmp/live.err" 2>/dev/null && grep -q "listening on" "$tmp/ecs.err" 2>/dev/null &&
	grep -q "listening on" "$tmp/text.err" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "tlsdiag did not start listening"
	kill -0 $td 2>/dev/null || fail "tlsdiag exited: $(cat "$tmp/live.err")"
	kill -0 $te 2>/dev/null || fail "tlsdiag --format ecs exited: $(cat "$tmp/ecs.err")"
	sleep 0.1
done
sleep 0.5   # the kernel filter is attached before "listening" is printed; give libpcap a moment

# 2. a backend that requires a client certificate, and a client without one
openssl s_server -accept "127.0.0.1:$port" -cert "$certs/server.crt" -key "$certs/server.key" \
	-cert_chain "$certs/intermediate-ca.crt" -CAfile "$certs/ca-bundle.pem" -Verify 1 -verify_return_error \
	-tls1_2 -naccept 1 -quiet >"$tmp/server.out" 2>"$tmp/server.err" </dev/null &
pids="$pids $!"
# wait until it listens (a probe connection would use up -naccept 1)
i=0
until python3 -c "
import sys
hexport = '%04X' % $port
for line in open('/proc/net/tcp').readlines()[1:]:
    f = line.split()
    if f[1].endswith(':' + hexport) and f[3] == '0A':
        sys.exit(0)
sys.exit(1)"; do
	i=$((i + 1)); [ $i -gt 50 ] && fail "openssl s_server did not start"
	sleep 0.1
done
sleep 0.5
echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername server.example.test -tls1_2 \
	>"$tmp/client.out" 2>"$tmp/client.err"

# 3. the failing connection is streamed as soon as it fails, before we stop
i=0
until grep -q '"client-cert-empty"' "$tmp/live.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "no streamed client-cert-empty finding"
	sleep 0.1
done

# ... the ECS event too, a whole line, while tlsdiag still runs
i=0
until grep -q '"client-cert-empty".*}$' "$tmp/ecs.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "no streamed ECS event with client-cert-empty"
	sleep 0.1
done
kill -0 $te 2>/dev/null || fail "tlsdiag --format ecs exited before it was stopped"
kill -INT $te
python3 - "$tmp/ecs.out" "$port" <<'PY' || fail "the live ECS event is wrong"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, f"{len(lines)} ECS lines, expected 1 (failures only)"
e = json.loads(lines[0])
assert e["destination"]["port"] == int(sys.argv[2]) and e["event"]["outcome"] == "failure", e
assert e["tlsdiag"]["client_certificates"] == 0, e["tlsdiag"]
print("live ECS: OK")
PY

# ... the text report, at Ctrl-C, ends with the problem the connection belongs to and its filter
kill -INT $tt
i=0
while kill -0 $tt 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "tlsdiag (text) did not stop on SIGINT"
	sleep 0.1
done
grep -q '^Problems: 1 (most connections first)$' "$tmp/text.out" || fail "live text: no problem list at the end"
grep -q "^  1\. ERROR Server 127\.0\.0\.1:$port (SNI server\.example\.test) asks for a client certificate .*1 connection from 1 client sent none" \
	"$tmp/text.out" || fail "live text: the problem's title"
grep -q "^    tcp.stream in {0}$" "$tmp/text.out" || { tail -15 "$tmp/text.out"; fail "live text: the problem's Wireshark filter"; }
echo "live text problems: OK"

# 4. Ctrl-C: clean exit, status 1 (an error finding), summary line with libpcap counters
kill -INT $td
i=0
while kill -0 $td 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "tlsdiag did not stop on SIGINT"
	sleep 0.1
done
wait $td
status=$?
[ $status = 1 ] || fail "exit status $status, expected 1"

python3 - "$tmp/live.out" "$port" <<'PY' || fail "JSON Lines output is wrong"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
conns = [l for l in lines if "stream" in l]
summary = lines[-1]
assert len(conns) == 1, f"{len(conns)} connection objects, expected 1 (failures only)"
c = conns[0]
assert c["server"]["port"] == int(sys.argv[2]), c["server"]
assert c["outcome"] == "failed", c["outcome"]
ids = {f["id"]: f for f in c["findings"]}
assert "client-cert-empty" in ids and ids["client-cert-empty"]["severity"] == "error", ids
assert c["client_certificates"]["length"] == 0 and c["client_certificates"]["count"] == 0
alerts = [a for a in c["alerts"] if a["from"] == "server"]
assert alerts and alerts[0]["description"] == "handshake_failure", c["alerts"]
assert "written" in c and c["written"]["frames"], "no -w frame mapping"
s = summary["summary"]
assert s["failed"] == 1 and s["with_error"] == 1, s
assert s["capture"]["received"] >= 8, s["capture"]
assert s["written"]["packets"] >= 8, s["written"]
print("live JSON Lines: OK")
PY

# 5. the written pcap holds the whole failing connection: same facts on re-reading
"$TLSDIAG" --json -r "$tmp/failures.pcap" >"$tmp/reread.out" 2>"$tmp/reread.err"
[ $? = 1 ] || fail "re-reading the -w file should find the error"
python3 - "$tmp/reread.out" "$tmp/live.out" <<'PY' || fail "the -w file does not hold the same facts"
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
live = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip() and '"stream"' in l][0]
assert len(doc["connections"]) == 1
c = doc["connections"][0]
assert c["first_frame"] == 1, "the written connection does not start at its first packet"
ids = [f["id"] for f in c["findings"]]
assert "client-cert-empty" in ids, ids
types = [m["type"] for m in c["messages"]]
assert types == [m["type"] for m in live["messages"]], (types, [m["type"] for m in live["messages"]])
# frames in the written file are the ones the live report mapped
mapped = {int(k): v for k, v in live["written"]["frames"].items()}
for m_live, m_file in zip(live["messages"], c["messages"]):
    assert mapped[m_live["frame"]] == m_file["frame"], (m_live, m_file)
print("re-read -w file: OK")
PY
if command -v tshark >/dev/null; then
	tshark -r "$tmp/failures.pcap" -Y tls -T fields -e tls.handshake.type -e tls.handshake.certificates_length \
		-e tls.alert_message.desc -d "tcp.port==$port,tls" >"$tmp/tshark.out" 2>"$tmp/tshark.err" ||
		fail "tshark cannot read the -w file"
	grep -q "40" "$tmp/tshark.out" || fail "tshark does not see the handshake_failure alert in the -w file"
	awk -F'\t' '$2 ~ /(^|,)0(,|$)/' "$tmp/tshark.out" | grep -q . || fail "tshark does not see the empty client Certificate"
	echo "tshark reads the -w file: OK"
fi
grep -q "listening on lo" "$tmp/live.err" || fail "no listening message"

# ---- helpers for the runs below ----
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait until tlsdiag ($1) wrote "listening" to $2
wait_listening() {
	i=0
	until grep -q "listening on" "$2" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "tlsdiag did not start listening"
		kill -0 "$1" 2>/dev/null || fail "tlsdiag exited: $(cat "$2")"
		sleep 0.1
	done
	sleep 0.5
}
# wait until something listens on TCP port $1 (without connecting to it)
wait_port() {
	i=0
	until python3 -c "
import sys
hexport = '%04X' % $1
sys.exit(0 if any(l.split()[1].endswith(':' + hexport) and l.split()[3] == '0A'
                  for l in open('/proc/net/tcp').readlines()[1:]) else 1)"; do
		i=$((i + 1)); [ $i -gt 50 ] && fail "nothing listens on port $1"
		sleep 0.1
	done
	sleep 0.3
}
# wait for pid $1 to end (at most 10 s), its status in $waited
wait_end() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "tlsdiag did not stop"
		sleep 0.1
	done
	wait "$1"
	waited=$?
}

# 6. TLS 1.3: the server rejects the missing client certificate after the
# client's Finished (an encrypted alert, then its close). Live, that is a
# failed connection, streamed and written by -w; and the times of the report
# and of the -w file are the real ones: those of a tcpdump run beside it.
p13=$(free_port)
command -v tcpdump >/dev/null && {
	tcpdump -i lo -U -w "$tmp/tcpdump13.pcap" "tcp port $p13" 2>"$tmp/tcpdump13.err" &
	pids="$pids $!"
	tdpid=$!
}
"$TLSDIAG" -i lo --json -w "$tmp/live13.pcap" tcp port "$p13" >"$tmp/live13.out" 2>"$tmp/live13.err" &
td13=$!
pids="$pids $td13"
wait_listening $td13 "$tmp/live13.err"
openssl s_server -accept "127.0.0.1:$p13" -cert "$certs/server.crt" -key "$certs/server.key" \
	-cert_chain "$certs/intermediate-ca.crt" -CAfile "$certs/ca-bundle.pem" -Verify 1 -verify_return_error \
	-tls1_3 -naccept 1 -quiet >"$tmp/server13.out" 2>"$tmp/server13.err" </dev/null &
pids="$pids $!"
wait_port "$p13"
(sleep 1; echo hello) | timeout 10 openssl s_client -connect "127.0.0.1:$p13" -tls1_3 >"$tmp/client13.out" 2>&1
i=0
until grep -q '"stream"' "$tmp/live13.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 50 ] && fail "TLS 1.3 rejection not streamed"
	sleep 0.1
done
sleep 0.5
kill -INT $td13
wait_end $td13
[ "$waited" = 1 ] || fail "TLS 1.3 rejection: exit status $waited, expected 1"
[ -n "${tdpid:-}" ] && { sleep 0.5; kill "$tdpid" 2>/dev/null; wait "$tdpid" 2>/dev/null; }
python3 - "$tmp/live13.out" "$tmp/live13.pcap" "$tmp/tcpdump13.pcap" <<'PY' || fail "TLS 1.3 rejection live"
import json, os, struct, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
conns = [l for l in lines if "stream" in l]
assert len(conns) == 1, f"{len(conns)} connections reported"
c = conns[0]
assert c["version"] == "TLS 1.3", c["version"]
assert c["outcome"] == "failed", ("a TLS 1.3 rejection reported as", c["outcome"])
assert any(f["severity"] == "error" for f in c["findings"]), c["findings"]
assert lines[-1]["summary"]["written"]["packets"] >= 10, lines[-1]["summary"]["written"]

def packets(path):
    """(seconds as float, tcp flags, payload length) of each packet of a classic pcap."""
    b = open(path, "rb").read()
    magic = struct.unpack("<I", b[:4])[0]
    assert magic == 0xA1B2C3D4, hex(magic)   # microseconds, little-endian, as both write it
    link = struct.unpack("<I", b[20:24])[0]
    off, out = 24, []
    while off + 16 <= len(b):
        sec, usec, cap, _ = struct.unpack("<IIII", b[off:off + 16])
        out.append((sec + usec / 1e6, b[off + 16:off + 16 + cap]))
        off += 16 + cap
    return out

written = packets(sys.argv[2])
print("written: %d packets" % len(written))
if os.path.exists(sys.argv[3]) and os.path.getsize(sys.argv[3]) > 24:
    ref = packets(sys.argv[3])
    # the same packets in the same order (tcpdump saw this connection only;
    # -w stops at the verdict, before the last ACKs)
    assert len(ref) >= len(written), (len(ref), len(written))
    for (t1, d1), (t2, d2) in zip(written, ref):
        assert d1 == d2, "a different packet"
        # each capture socket stamps packets itself: a microsecond or so apart,
        # never the milliseconds of a unit mistake
        assert abs(t1 - t2) < 0.002, (t1, t2)
    import datetime
    start = datetime.datetime.fromisoformat(c["start_time"].replace("Z", "+00:00")).timestamp()
    assert abs(start - ref[0][0]) < 0.002, (c["start_time"], ref[0][0])
    print("times match tcpdump's: OK")
print("live TLS 1.3 rejection: OK")
PY

# 7. -c 1: one connection reported; one still in flight at the stop (its
# server never answers the ClientHello) is cut off by the stop, not failed.
pc=$(free_port)
ph=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $ph)); s.listen(1)
c, _ = s.accept(); c.recv(4096); time.sleep(15)" &
pids="$pids $!"
"$TLSDIAG" -i lo -c 1 -v --json "tcp port $pc or tcp port $ph" >"$tmp/count.out" 2>"$tmp/count.err" &
tdc=$!
pids="$pids $tdc"
wait_listening $tdc "$tmp/count.err"
wait_port "$ph"
sleep 8 | timeout 10 openssl s_client -connect "127.0.0.1:$ph" -tls1_2 >"$tmp/hang.out" 2>&1 &
pids="$pids $!"
sleep 1
# (its stdin stays open: at EOF s_server would close right after the
# handshake, which is a rejection after the handshake, not a healthy connection)
sleep 8 | openssl s_server -accept "127.0.0.1:$pc" -cert "$certs/server.crt" -key "$certs/server.key" \
	-cert_chain "$certs/intermediate-ca.crt" -tls1_2 -naccept 1 -quiet >"$tmp/serverc.out" 2>&1 &
pids="$pids $!"
wait_port "$pc"
echo hello | timeout 10 openssl s_client -connect "127.0.0.1:$pc" -tls1_2 >"$tmp/clientc.out" 2>&1
wait_end $tdc
[ "$waited" = 0 ] || fail "-c 1: exit status $waited, expected 0 (nothing failed)"
python3 - "$tmp/count.out" "$pc" <<'PY' || fail "-c 1 live"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
conns = [l for l in lines if "stream" in l]
s = lines[-1]["summary"]
assert len(conns) == 1, [(c["server"], c["outcome"]) for c in conns]
assert conns[0]["server"]["port"] == int(sys.argv[2]) and conns[0]["outcome"] == "completed", conns[0]
assert s["cut_off_by_stop"] == 1, s
assert s["failed"] == 0 and s["with_error"] == 0, s
assert "no-server-hello" not in s["findings"], s["findings"]
print("-c 1: one reported, one cut off by the stop: OK")
PY
# 8. TLS 1.2, rejected after the handshake: nginx with ssl_verify_client on
# completes the handshake without a client certificate and answers HTTP 400
# inside TLS, then closes. Live, that connection must be reported failed when
# the server closes (or its grace ends), not "completed" at the Finished.
if command -v nginx >/dev/null && command -v curl >/dev/null; then
	pn=$(free_port)
	nd=$tmp/nginx
	mkdir -p "$nd"
	acerts=$(cd "$certs" && pwd)   # nginx reads paths relative to its prefix
	cat >"$nd/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $nd/nginx.pid;
error_log $tmp/nginx-error.err info;
events { worker_connections 16; }
http {
  access_log $nd/access.log;
  client_body_temp_path $nd/body; proxy_temp_path $nd/proxy; fastcgi_temp_path $nd/fastcgi;
  uwsgi_temp_path $nd/uwsgi; scgi_temp_path $nd/scgi;
  server {
    listen 127.0.0.1:$pn ssl;
    ssl_certificate $acerts/server-chain.pem;
    ssl_certificate_key $acerts/server.key;
    ssl_protocols TLSv1.2;
    ssl_verify_client on;
    ssl_client_certificate $acerts/ca-bundle.pem;
    location / { return 200 "hello\n"; }
  }
}
NGINX
	"$TLSDIAG" -i lo --json tcp port "$pn" >"$tmp/nginx12.out" 2>"$tmp/nginx12.err" &
	tdn=$!
	pids="$pids $tdn"
	wait_listening $tdn "$tmp/nginx12.err"
	nginx -p "$nd" -c "$nd/nginx.conf" -e "$tmp/nginx-error.err" >"$tmp/nginx-stdout.err" 2>&1 &
	pids="$pids $!"
	wait_port "$pn"
	# openssl keeps its side open (stdin stays open), so the server closes
	# first, as nginx does after its 400 (curl may close first: then, without
	# keys, the answer alone cannot tell a refusal from a served request)
	{ printf 'GET / HTTP/1.1\r\nHost: server.example.test\r\n\r\n'; sleep 3; } |
		timeout 10 openssl s_client -connect "127.0.0.1:$pn" -servername server.example.test -tls1_2 -quiet \
			>"$tmp/client12.out" 2>"$tmp/client12.err"
	grep -q '^HTTP/1.1 400' "$tmp/client12.out" || fail "nginx did not answer 400"
	i=0
	until grep -q '"stream"' "$tmp/nginx12.out" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 50 ] && fail "the nginx rejection was not streamed"
		sleep 0.1
	done
	kill -INT $tdn
	wait_end $tdn
	[ "$waited" = 1 ] || fail "nginx TLS 1.2 rejection: exit status $waited, expected 1"
	python3 - "$tmp/nginx12.out" <<'PY' || fail "nginx TLS 1.2 rejection live"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
conns = [l for l in lines if "stream" in l]
assert len(conns) == 1, f"{len(conns)} connections reported"
c = conns[0]
assert c["version"] == "TLS 1.2", c["version"]
assert c["outcome"] == "failed", ("nginx's rejection after the handshake reported as", c["outcome"])
ids = {f["id"]: f["severity"] for f in c["findings"]}
assert ids.get("client-cert-empty") == "error" and ids.get("rejected-after-handshake") == "error", ids
print("live TLS 1.2 rejection after the handshake (nginx): OK")
PY
else
	echo "SKIP (part 8): nginx or curl is not installed"
fi

# ---- a key log written while capturing ----
# check_decrypted OUT KEYLOG N [closes]: the N connections of a JSON Lines report are
# the TLS 1.3 rejection of a missing client certificate, read with the key
# log that the client wrote as it talked
check_decrypted() {
	python3 - "$@" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
conns = [l for l in lines if "stream" in l]
assert len(conns) == int(sys.argv[3]), f"{len(conns)} connections reported, expected {sys.argv[3]}"
# the line of each connection's handshake secrets (one connection after the other)
where = {}
for n, l in enumerate(open(sys.argv[2], encoding="ascii"), 1):
    where.setdefault(l.split(" ")[0], []).append(n)
# the problem's first report is its representative, in full; the later
# ones are written short, without "decryption" and "messages" (their
# decrypted alert tells the keys). Live, connections are reported as they
# settle: the first report need not be the first stream.
assert conns[0].get("decryption"), ("stream", conns[0]["stream"], "reported first, without decryption facts")
for i, c in enumerate(sorted(conns, key=lambda c: c["stream"])):
    assert c["version"] == "TLS 1.3", c["version"]
    assert c["outcome"] == "failed", ("a TLS 1.3 rejection reported as", c["outcome"])
    k = c.get("decryption")
    assert not k or k["matched"] is True, ("stream", c["stream"], "keys not found", k)
    for side in ("client", "server") if k else ():
        label = side.upper() + "_HANDSHAKE_TRAFFIC_SECRET"
        assert k[side]["decrypted"] is True and k[side]["keylog"] == sys.argv[2], (side, k)
        assert k[side]["line"] == where[label][i], (side, k[side], label, where[label])
    ids = {f["id"]: f["severity"] for f in c["findings"]}
    assert ids.get("client-cert-empty") == "error", ids
    assert ids.get("alert") == "error", ids
    assert "keylog-no-match" not in ids and "client-cert-empty-inferred" not in ids, ids
    cc = c["client_certificates"]   # the short form has no "length"
    assert cc["count"] == 0 and cc["chain"] == [] and cc.get("length", 0) == 0, cc
    alerts = [(a["from"], a["description"], a["code"], a["decrypted"]) for a in c["alerts"]]
    if len(sys.argv) > 4:   # clients that close at once: their close_notify may come first
        alerts = [a for a in alerts if a != ("client", "close_notify", 0, True)]
    assert alerts == [("server", "certificate_required", 116, True)], alerts
    types = [m["type"] for m in c.get("messages", [])]
    assert not k or ("certificate_request" in types and types.count("certificate") == 2), types
s = lines[-1]["summary"]
assert s["failed"] == int(sys.argv[3]) and s["with_error"] == int(sys.argv[3]), s
PY
}

# 9. TLS 1.3 rejection (openssl s_server -Verify, s_client without a
# certificate) with the key log that s_client writes while it talks: the
# server's encrypted flight is captured before the client has written its
# secrets, so its records wait until a re-read of the key log finds them.
# Three connections, each must be decrypted: the decrypted alert
# certificate_required, client-cert-empty, failed, exit 1.
p9=$(free_port)
: >"$tmp/keys9.log"
"$TLSDIAG" -i lo --json --keylog "$tmp/keys9.log" -w "$tmp/keylog9.pcap" tcp port "$p9" >"$tmp/keylog9.out" 2>"$tmp/keylog9.err" &
td9=$!
pids="$pids $td9"
wait_listening $td9 "$tmp/keylog9.err"
openssl s_server -accept "127.0.0.1:$p9" -cert "$certs/server.crt" -key "$certs/server.key" \
	-cert_chain "$certs/intermediate-ca.crt" -CAfile "$certs/ca-bundle.pem" -Verify 1 -verify_return_error \
	-tls1_3 -naccept 3 -quiet >"$tmp/server9.out" 2>"$tmp/server9.err" </dev/null &
pids="$pids $!"
wait_port "$p9"
for n in 1 2 3; do
	(sleep 1; echo hello) | timeout 10 openssl s_client -connect "127.0.0.1:$p9" -tls1_3 \
		-keylogfile "$tmp/keys9.log" >"$tmp/client9.out" 2>&1
done
i=0
until [ "$(grep -c '"stream"' "$tmp/keylog9.out" 2>/dev/null)" = 3 ]; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "the TLS 1.3 rejections with a live key log were not all streamed"
	sleep 0.1
done
kill -INT $td9
wait_end $td9
[ "$waited" = 1 ] || fail "TLS 1.3 rejection with a live key log: exit status $waited, expected 1"
[ "$(grep -c '^CLIENT_HANDSHAKE_TRAFFIC_SECRET ' "$tmp/keys9.log")" = 3 ] || fail "s_client wrote no key log"
check_decrypted "$tmp/keylog9.out" "$tmp/keys9.log" 3 || fail "TLS 1.3 rejection with a key log written while capturing"
echo "live key log written while talking: 3 of 3 decrypted: OK"

# ... and the -w file holds each connection to its close, though the report
# went out at the decrypted alert: read back without the key log, the sizes
# show the server's alert after the client's flight and its close, so each
# connection is failed, never a handshake that "completed" (issue 12). The
# frames are tshark's: the decrypted alert, both FINs, the last packet.
"$TLSDIAG" --json -r "$tmp/keylog9.pcap" >"$tmp/reread9.out" 2>"$tmp/reread9.err"
[ $? = 1 ] || fail "the -w file of the key-log run, read without keys: exit status is not 1"
if command -v tshark >/dev/null; then
	tshark -r "$tmp/keylog9.pcap" -o "tls.keylog_file:$tmp/keys9.log" -d "tcp.port==$p9,tls" -T fields \
		-e tcp.stream -e frame.number -e tcp.srcport -e tcp.flags.fin -e tls.alert_message.desc \
		>"$tmp/tshark9.out" 2>"$tmp/tshark9.err" || fail "tshark cannot read the -w file of the key-log run"
	python3 - "$tmp/reread9.out" "$tmp/tshark9.out" "$p9" <<'PY' || fail "the -w file of the key-log run, read without keys"
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
port = sys.argv[3]
streams = {}
for l in open(sys.argv[2], encoding="utf-8"):
    f = l.rstrip("\n").split("\t")
    st = streams.setdefault(int(f[0]), {"frames": [], "alert": [], "fin": set()})
    st["frames"].append(int(f[1]))
    if f[4]:
        st["alert"].append((int(f[1]), f[2] == port, f[4]))
    if f[3] in ("1", "True"):
        st["fin"].add("server" if f[2] == port else "client")
conns = doc["connections"]
assert len(conns) == 3 and len(streams) == 3, (len(conns), sorted(streams))
for c in conns:
    st = streams[c["stream"]]
    assert st["alert"] and st["alert"][0][1] and st["alert"][0][2] == "116", ("tshark", st["alert"])
    alert_frame = st["alert"][0][0]
    assert st["fin"] == {"client", "server"}, ("-w stopped before the closes", c["stream"], st)
    assert c["last_frame"] == max(st["frames"]), (c["last_frame"], max(st["frames"]))
    assert c["outcome"] == "failed", ("read without keys as", c["outcome"])
    assert c["inferred_alert"]["frame"] == alert_frame and c["inferred_alert"]["from"] == "server", \
        (c["inferred_alert"], alert_frame)
    ids = {f["id"]: f for f in c["findings"]}
    t = ids.get("tls13-encrypted-failure")
    assert t and t["severity"] == "error" and t["inferred"] is True and alert_frame in t["frames"], ids
    assert ids["client-cert-empty-inferred"]["severity"] == "error", ids
s = doc["summary"]
assert s["failed"] == 3 and s["completed"] == 0 and s["with_error"] == 3, s
print("-w file of the key-log run, read without keys: 3 failed, alert and closes at tshark's frames: OK")
PY
fi

# 9b. the same rejection, but each client closes (close_notify, FIN) right
# after its Finished, often before the server's certificate_required is
# captured: decrypted, the report waits for the server's verdict on the
# flight, so it is client-cert-empty with the server's alert, not the
# client's refusal. And -w --write-secrets: the pcapng read back with no
# key log decrypts by its own secrets (tlsdiag and tshark: the alert 116).
p9b=$(free_port)
: >"$tmp/keys9b.log"
"$TLSDIAG" -i lo --format jsonl --keylog "$tmp/keys9b.log" -w "$tmp/keylog9b.pcapng" --write-secrets tcp port "$p9b" \
	>"$tmp/keylog9b.out" 2>"$tmp/keylog9b.err" &
td9b=$!
pids="$pids $td9b"
wait_listening $td9b "$tmp/keylog9b.err"
openssl s_server -accept "127.0.0.1:$p9b" -cert "$certs/server.crt" -key "$certs/server.key" \
	-cert_chain "$certs/intermediate-ca.crt" -CAfile "$certs/ca-bundle.pem" -Verify 1 -verify_return_error \
	-tls1_3 -naccept 3 -quiet >"$tmp/server9b.out" 2>"$tmp/server9b.err" </dev/null &
pids="$pids $!"
wait_port "$p9b"
for n in 1 2 3; do
	timeout 10 openssl s_client -connect "127.0.0.1:$p9b" -tls1_3 -no_ign_eof \
		-keylogfile "$tmp/keys9b.log" </dev/null >"$tmp/client9b.out" 2>&1
done
i=0
until [ "$(grep -c '"stream"' "$tmp/keylog9b.out" 2>/dev/null)" = 3 ]; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "the TLS 1.3 rejections of clients that close at once were not all streamed"
	sleep 0.1
done
kill -INT $td9b
wait_end $td9b
[ "$waited" = 1 ] || fail "TLS 1.3 rejection, clients closing at once: exit status $waited, expected 1"
check_decrypted "$tmp/keylog9b.out" "$tmp/keys9b.log" 3 closes || fail "TLS 1.3 rejection, clients closing at once"
grep -q '"rejected-after-handshake"' "$tmp/keylog9b.out" && fail "the client's close was taken for the refusal"
"$TLSDIAG" -r "$tmp/keylog9b.pcapng" --format jsonl >"$tmp/reread9b.out" 2>"$tmp/reread9b.err"
[ $? = 1 ] || fail "the --write-secrets file read back: exit status is not 1"
python3 - "$tmp/reread9b.out" <<'PY' || fail "the --write-secrets file read back without a key log"
import json, sys
conns = [d for d in map(json.loads, open(sys.argv[1])) if "stream" in d]
assert len(conns) == 3, len(conns)
for c in conns:
    ids = {f["id"] for f in c["findings"]}
    assert "client-cert-empty" in ids and "keylog-no-match" not in ids, ids
    alerts = [(a["from"], a["code"], a["decrypted"]) for a in c["alerts"]]
    assert [a for a in alerts if a != ("client", 0, True)] == [("server", 116, True)], c["alerts"]
PY
if command -v tshark >/dev/null; then
	[ "$(tshark -r "$tmp/keylog9b.pcapng" -d "tcp.port==$p9b,tls" -Y 'tls.alert_message.desc == 116' 2>/dev/null | wc -l)" = 3 ] ||
		fail "tshark does not decrypt the 3 certificate_required alerts of the --write-secrets file"
fi
echo "clients closing at once: 3 of 3 client-cert-empty with the server's alert; --write-secrets file decrypts alone: OK"

# 10. the same, with secrets that come only after every record of the
# connection was captured (a client that writes its key log late): the
# records wait for the grace period (3 s here), the verdict with them; once
# the key log has the lines they are read and the connection is reported
# decrypted. A second connection whose keys never come is reported after
# its grace, undecrypted (keylog-no-match): the wait is bounded.
p10=$(free_port)
: >"$tmp/keys10.log"
"$TLSDIAG" -i lo --json --settle-grace 3000 --keylog "$tmp/keys10.log" tcp port "$p10" \
	>"$tmp/keylog10.out" 2>"$tmp/keylog10.err" &
td10=$!
pids="$pids $td10"
wait_listening $td10 "$tmp/keylog10.err"
openssl s_server -accept "127.0.0.1:$p10" -cert "$certs/server.crt" -key "$certs/server.key" \
	-cert_chain "$certs/intermediate-ca.crt" -CAfile "$certs/ca-bundle.pem" -Verify 1 -verify_return_error \
	-tls1_3 -naccept 2 -quiet >"$tmp/server10.out" 2>"$tmp/server10.err" </dev/null &
pids="$pids $!"
wait_port "$p10"
(sleep 1; echo hello) | timeout 10 openssl s_client -connect "127.0.0.1:$p10" -tls1_3 \
	-keylogfile "$tmp/private10.log" >"$tmp/client10.out" 2>&1
grep -q "alert certificate required" "$tmp/client10.out" || fail "s_client was not refused with certificate_required"
sleep 0.5   # the whole connection is captured, its FINs too
grep -q '"stream"' "$tmp/keylog10.out" && fail "a connection whose records wait for their keys was judged before them"
cat "$tmp/private10.log" >>"$tmp/keys10.log"
i=0
until grep -q '"stream"' "$tmp/keylog10.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 20 ] && fail "the late key log did not release the waiting connection within 2 s"
	sleep 0.1
done
# ... and one whose client writes no key log
(sleep 1; echo hello) | timeout 10 openssl s_client -connect "127.0.0.1:$p10" -tls1_3 >"$tmp/client10b.out" 2>&1
i=0
until [ "$(grep -c '"stream"' "$tmp/keylog10.out" 2>/dev/null)" = 2 ]; do
	i=$((i + 1)); [ $i -gt 60 ] && fail "a connection whose keys never come was not reported within its grace"
	sleep 0.1
done
kill -INT $td10
wait_end $td10
[ "$waited" = 1 ] || fail "late key log: exit status $waited, expected 1"
python3 - "$tmp/keylog10.out" "$tmp/first10.out" <<'PY' || fail "late key log: the reports"
import json, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8") if '"stream"' in l]
open(sys.argv[2], "w").write(lines[0] + json.dumps({"summary": {"failed": 1, "with_error": 1}}) + "\n")
c = json.loads(lines[1])
ids = {f["id"] for f in c["findings"]}
assert c["outcome"] == "failed" and c["decryption"]["matched"] is False, (c["outcome"], c["decryption"])
assert "keylog-no-match" in ids and "client-cert-empty-inferred" in ids, ids
PY
check_decrypted "$tmp/first10.out" "$tmp/keys10.log" 1 || fail "late key log: the connection whose secrets came after its records"
echo "live key log appended after the connection: decrypted; one without keys reported after its grace: OK"

# 11. nginx, TLS 1.3, ssl_verify_client on, curl without a certificate
# writing SSLKEYLOGFILE: the handshake completes, nginx answers 400 inside
# TLS; with the key log read live that answer is decrypted.
if command -v nginx >/dev/null && command -v curl >/dev/null; then
	pn13=$(free_port)
	sed -e "s/127.0.0.1:$pn ssl/127.0.0.1:$pn13 ssl/" -e "s/ssl_protocols TLSv1.2;/ssl_protocols TLSv1.3;/" \
		-e "s|pid $nd/nginx.pid|pid $nd/nginx13.pid|" "$nd/nginx.conf" >"$nd/nginx13.conf"
	: >"$tmp/keys11.log"
	"$TLSDIAG" -i lo --json --keylog "$tmp/keys11.log" tcp port "$pn13" >"$tmp/nginx13.out" 2>"$tmp/nginx13.err" &
	td11=$!
	pids="$pids $td11"
	wait_listening $td11 "$tmp/nginx13.err"
	nginx -p "$nd" -c "$nd/nginx13.conf" -e "$tmp/nginx13-error.err" >"$tmp/nginx13-stdout.err" 2>&1 &
	pids="$pids $!"
	wait_port "$pn13"
	code=$(SSLKEYLOGFILE="$tmp/keys11.log" timeout 10 curl -sk --http1.1 -o /dev/null -w '%{http_code}' \
		--resolve "server.example.test:$pn13:127.0.0.1" "https://server.example.test:$pn13/")
	[ "$code" = 400 ] || fail "nginx answered $code, expected 400"
	i=0
	until grep -q '"stream"' "$tmp/nginx13.out" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 50 ] && fail "the nginx TLS 1.3 rejection was not streamed"
		sleep 0.1
	done
	kill -INT $td11
	wait_end $td11
	[ "$waited" = 1 ] || fail "nginx TLS 1.3 rejection with a live key log: exit status $waited, expected 1"
	python3 - "$tmp/nginx13.out" "$tmp/keys11.log" <<'PY' || fail "nginx TLS 1.3 rejection with a live key log"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
conns = [l for l in lines if "stream" in l]
assert len(conns) == 1, f"{len(conns)} connections reported"
c = conns[0]
assert c["version"] == "TLS 1.3" and c["outcome"] == "failed", (c["version"], c["outcome"])
k = c["decryption"]
assert k["matched"] is True and k["server"]["decrypted"] and k["server"]["keylog"] == sys.argv[2], k
assert k["http_status"]["code"] == 400 and k["http_status"]["line"] == "HTTP/1.1 400 Bad Request", k["http_status"]
ids = {f["id"]: f["severity"] for f in c["findings"]}
assert ids.get("client-cert-empty") == "error" and ids.get("rejected-after-handshake") == "error", ids
assert "keylog-no-match" not in ids, ids
assert c["client_certificates"]["length"] == 0, c["client_certificates"]
PY
	echo "live key log from curl, nginx TLS 1.3 answering 400: decrypted: OK"
else
	echo "SKIP (part 11): nginx or curl is not installed"
fi
# 12. Refused after its report: the handshake completes, the client sends
# nothing, and the server ends the connection (its encrypted alert and close)
# 3 s later, long after the grace (0.5 s here) let the connection be reported
# completed. The report cannot be taken back, but the summary (its server's
# row too) and the exit status count it failed under the finding the file
# reading gives it, and a line on stderr names the frame of the alert; a
# tcpdump beside it, read as a file, gives the same verdict. TLS 1.2 by its
# alert record; TLS 1.3 without keys by the sizes of the records after the
# report (the server's tickets, then an alert-sized record and its close);
# TLS 1.3 with the client's key log, decrypted until its report and judged by
# the sizes of its records after it, as the file reading with the key log.
late_refusal() { # late_refusal TAG VERSION FINDING TSHARK-FILTER-OF-THE-ALERT STDERR-REGEX [KEYLOG]
	lr=$1 p12=$(free_port) kl=${6:-}
	[ -n "$kl" ] && : >"$kl"
	command -v tcpdump >/dev/null && {
		tcpdump -i lo -U -w "$tmp/tcpdump$lr.pcap" "tcp port $p12" 2>"$tmp/tcpdump$lr.err" &
		pids="$pids $!"
		tdpid12=$!
	}
	"$TLSDIAG" -i lo --json --settle-grace 500 --ca-file "$certs/ca-bundle.pem" ${kl:+--keylog "$kl"} tcp port "$p12" \
		>"$tmp/after$lr.out" 2>"$tmp/after$lr.err" &
	td12=$!
	pids="$pids $td12"
	wait_listening $td12 "$tmp/after$lr.err"
	sleep 3 | openssl s_server -accept "127.0.0.1:$p12" -cert "$certs/server.crt" -key "$certs/server.key" \
		-cert_chain "$certs/intermediate-ca.crt" "$2" -naccept 1 -quiet >"$tmp/server$lr.out" 2>&1 &
	pids="$pids $!"
	wait_port "$p12"
	sleep 5 | timeout 10 openssl s_client -connect "127.0.0.1:$p12" -servername server.example.test "$2" \
		-CAfile "$certs/ca-bundle.pem" ${kl:+-keylogfile "$kl"} >"$tmp/client$lr.out" 2>&1
	sleep 2.5   # the closes' linger
	kill -INT $td12
	wait_end $td12
	[ "$waited" = 1 ] || fail "$2 refused after its report: exit status $waited, expected 1"
	[ -n "${tdpid12:-}" ] && { sleep 0.5; kill "$tdpid12" 2>/dev/null; wait "$tdpid12" 2>/dev/null; }
	alert12=""
	if [ -s "$tmp/tcpdump$lr.pcap" ] && command -v tshark >/dev/null; then
		alert12=$(tshark -r "$tmp/tcpdump$lr.pcap" -d "tcp.port==$p12,tls" ${kl:+-o "tls.keylog_file:$kl"} \
			-Y "$4 && tcp.srcport == $p12" -T fields -e frame.number 2>/dev/null | tail -1)
		[ -n "$alert12" ] || fail "tshark sees no alert of the server in the tcpdump capture ($2)"
		"$TLSDIAG" --json --ca-file "$certs/ca-bundle.pem" ${kl:+--keylog "$kl"} -r "$tmp/tcpdump$lr.pcap" \
			>"$tmp/file$lr.out" 2>&1
		[ $? = 1 ] || fail "the tcpdump capture of the refusal after the report ($2), read as a file: exit status is not 1"
	fi
	python3 - "$tmp/after$lr.out" "$tmp/after$lr.err" "$alert12" "$tmp/file$lr.out" "$2" "$3" "$5" ${kl:+"$kl"} <<'PY' || fail "$2 refused after its report"
import json, os, re, sys
out, err, alert, fileout, version, finding, said = sys.argv[1:8]
lines = [json.loads(l) for l in open(out, encoding="utf-8") if l.strip()]
conns = [l for l in lines if "stream" in l]
s = lines[-1]["summary"]
assert conns == [], ("a completed connection is not streamed live", conns)
assert s["failed"] == 1 and s["completed"] == 0 and s["with_error"] == 1, s
assert s["failed_after_report"] == 1 and s["findings"] == {finding: 1}, s
assert [(r["failed"], r["with_error"]) for r in s["servers"]] == [(1, 1)], s["servers"]
err = open(err, encoding="utf-8").read()
m = re.search(r"frame (\d+): reported completed, refused after its report: tcp.stream 0 ended by " + said, err)
assert m, err
if alert:
    assert int(m.group(1)) == int(alert), ("the alert's frame", m.group(1), "tshark", alert)
    doc = json.load(open(fileout, encoding="utf-8"))
    c = doc["connections"][0]
    ids = {f["id"]: f["severity"] for f in c["findings"]}
    assert c["outcome"] == "failed" and ids.get(finding) == "error", (c["outcome"], ids)
print("live TLS %s%s refused after its report: counted failed (%s), exit 1, as the file reading: OK"
      % (version[-3:].replace("_", "."), " with a key log" if len(sys.argv) > 8 else "", finding))
PY
}
late_refusal 12 -tls1_2 rejected-after-handshake "tls.record.content_type == 21" "the server's alert"
# the server's alert-sized record: tshark's last 19-byte record of the server before its close
late_refusal 12t13 -tls1_3 tls13-encrypted-failure "tls.record.length == 19" \
	"the server: server alert after the client's flight \\(inferred from record sizes"
# with the key log tshark reads the alert (close_notify) the sizes stand for after the report
late_refusal 12k13 -tls1_3 rejected-after-handshake "tls.alert_message" "the server's alert" "$tmp/keys12k13.log"

# 12c. The client refuses after the report: curl checks the server's name
# after the handshake and then closes. Its close races the server's tickets;
# when the close comes after them and after the grace (a loaded machine,
# here forced by strace delaying curl's third send, its close_notify, 1.5 s
# past the 0.5 s grace), the connection is reported completed first. The
# watch after the report must count it failed, as the file reading does.
if command -v curl >/dev/null && command -v strace >/dev/null && command -v tcpdump >/dev/null &&
	command -v tshark >/dev/null && strace -o /dev/null true 2>/dev/null; then
	p12c=$(free_port)
	tcpdump -i lo -U -w "$tmp/tcpdump12c.pcap" "tcp port $p12c" 2>"$tmp/tcpdump12c.err" &
	pids="$pids $!"
	td12cdump=$!
	"$TLSDIAG" -i lo --json --settle-grace 500 --ca-file "$certs/ca-bundle.pem" tcp port "$p12c" \
		>"$tmp/after12c.out" 2>"$tmp/after12c.err" &
	td12c=$!
	pids="$pids $td12c"
	wait_listening $td12c "$tmp/after12c.err"
	openssl s_server -accept "127.0.0.1:$p12c" -www -tls1_3 -naccept 1 -quiet \
		-cert "$certs/server-wildcard.crt" -key "$certs/server-wildcard.key" -cert_chain "$certs/intermediate-ca.crt" \
		>"$tmp/server12c.out" 2>&1 </dev/null &
	pids="$pids $!"
	wait_port "$p12c"
	timeout 15 strace -f -o /dev/null -e trace=sendto -e inject=sendto:delay_enter=1500000:when=3 \
		curl -sS --max-time 10 --cacert "$certs/ca-bundle.pem" --resolve "a.b.example.test:$p12c:127.0.0.1" \
		-o /dev/null "https://a.b.example.test:$p12c/" >"$tmp/client12c.out" 2>&1
	grep -q "no alternative certificate subject name" "$tmp/client12c.out" || fail "curl did not refuse the name (12c)"
	sleep 1   # the closes' linger
	kill -INT $td12c
	wait_end $td12c
	sleep 0.5; kill "$td12cdump" 2>/dev/null; wait "$td12cdump" 2>/dev/null
	[ "$waited" = 1 ] || fail "curl's refusal after the report: exit status $waited, expected 1"
	"$TLSDIAG" --json --ca-file "$certs/ca-bundle.pem" -r "$tmp/tcpdump12c.pcap" >"$tmp/file12c.out" 2>&1
	[ $? = 1 ] || fail "the tcpdump capture of curl's refusal after the report, read as a file: exit status is not 1"
	# the wire this part is about: curl's 19-byte record after the server's tickets
	wire12c=$(tshark -r "$tmp/tcpdump12c.pcap" -d "tcp.port==$p12c,tls" -Y "tls.record.length" \
		-T fields -e frame.number -e tcp.srcport -e tls.record.length 2>/dev/null)
	python3 - "$tmp/after12c.out" "$tmp/after12c.err" "$tmp/file12c.out" "$p12c" "$wire12c" <<'PY' || fail "curl's refusal after the report (12c)"
import json, re, sys
out, err, fileout, port, wire = sys.argv[1:6]
rows = [l.split("\t") for l in wire.splitlines()]
client = [(int(f), r) for f, sport, r in rows if sport != port]
server = [(int(f), r) for f, sport, r in rows if sport == port]
close = [f for f, r in client if "19" in r.split(",")]
tickets = [f for f, r in server if f > client[1][0]]
assert close and tickets and close[-1] > tickets[0], ("not the wire this part tests", rows)
lines = [json.loads(l) for l in open(out, encoding="utf-8") if l.strip()]
s = lines[-1]["summary"]
assert [l for l in lines if "stream" in l] == [], "a connection reported completed is not streamed"
assert s["failed"] == 1 and s["completed"] == 0 and s["failed_after_report"] == 1, s
assert s["findings"] == {"tls13-encrypted-failure": 1}, s["findings"]
assert [(r["failed"], r["with_error"]) for r in s["servers"]] == [(1, 1)], s["servers"]
m = re.search(r"frame (\d+): reported completed, refused after its report: tcp.stream 0 ended by the client: "
              r"client closed right after its Finished \(inferred from record sizes", open(err, encoding="utf-8").read())
assert m and int(m.group(1)) == close[-1], (m and m.group(1), "tshark", close[-1])
c = json.load(open(fileout, encoding="utf-8"))["connections"][0]
assert c["outcome"] == "failed" and {f["id"] for f in c["findings"]} >= {"tls13-encrypted-failure"}, c["findings"]
print("live TLS 1.3 curl refusing the name after the tickets and the grace: counted failed after its report"
      " (frame %d), exit 1, as the file reading: OK" % close[-1])
PY
else
	echo "SKIP (part 12c): curl, strace, tcpdump or tshark is missing, or strace cannot trace here"
fi

# 13. A live audit without keys: TLS 1.3 clients that reject the server's
# certificate, each as it does by default (curl: an alert in clear, or its
# close after the handshake and a reset for a name it refuses; python and
# s_client: an alert in clear; Java, when installed: an encrypted alert of
# 35 bytes), and one healthy connection beside them. Every rejection must be
# counted failed and the exit status must be 1; the healthy one completed.
a_srv() { # a_srv PORT CERT-ARGS...: one HTTP answer over TLS 1.3, one connection
	ap=$1; shift
	openssl s_server -accept "127.0.0.1:$ap" -www -tls1_3 -naccept 1 -quiet "$@" \
		>"$tmp/audit-srv-$ap.out" 2>&1 </dev/null &
	pids="$pids $!"
	wait_port "$ap"
}
a_curl() { # a_curl PORT NAME
	timeout 10 curl -sS --max-time 5 --cacert "$certs/ca-bundle.pem" --resolve "$2:$1:127.0.0.1" \
		-o /dev/null "https://$2:$1/" >"$tmp/audit-cli-$1.out" 2>&1
}
chain="-cert_chain $certs/intermediate-ca.crt"
ports="" expect=""
for case in wildcard:curl selfsigned:curl intermediate:python expired:openssl healthy:curl expired:java; do
	tool=${case#*:}
	case $tool in
	curl) command -v curl >/dev/null || continue ;;
	java) { command -v javac >/dev/null && command -v keytool >/dev/null; } || continue ;;
	esac
	ports="$ports $(free_port):$case"
done
filter=""
for pc in $ports; do filter="${filter:+$filter or }tcp port ${pc%%:*}"; done
# a grace well above the scheduling jitter of a loaded machine (a TLS 1.3
# connection still open when its grace ends is reported as it stands and
# watched after its report); the tcpdump beside it is the evidence a
# failure prints
"$TLSDIAG" -i lo --json --settle-grace 3000 --ca-file "$certs/ca-bundle.pem" "$filter" \
	>"$tmp/audit.out" 2>"$tmp/audit.err" &
ta=$!
pids="$pids $ta"
command -v tcpdump >/dev/null && {
	tcpdump -i lo -U -w "$tmp/audit.pcap" "$filter" 2>"$tmp/audit-tcpdump.err" &
	pids="$pids $!"
	tdpa=$!
}
wait_listening $ta "$tmp/audit.err"
for pc in $ports; do
	ap=${pc%%:*} case=${pc#*:}
	case $case in
	wildcard:curl)   # curl checks the name after the handshake
		a_srv "$ap" -cert "$certs/server-wildcard.crt" -key "$certs/server-wildcard.key" $chain
		a_curl "$ap" a.b.example.test ;;
	selfsigned:curl)
		a_srv "$ap" -cert "$certs/server-selfsigned.crt" -key "$certs/server-selfsigned.key"
		a_curl "$ap" server.example.test ;;
	healthy:curl)
		a_srv "$ap" -cert "$certs/server.crt" -key "$certs/server.key" $chain
		a_curl "$ap" server.example.test ;;
	intermediate:python)   # the server sends its leaf only
		a_srv "$ap" -cert "$certs/server.crt" -key "$certs/server.key"
		timeout 10 python3 "$srcdir/pcaps/pyclient.py" 127.0.0.1 "$ap" server.example.test \
			"$certs/ca-bundle.pem" >"$tmp/audit-cli-$ap.out" 2>&1 ;;
	expired:openssl)
		a_srv "$ap" -cert "$certs/server-expired.crt" -key "$certs/server-expired.key" $chain
		timeout 10 openssl s_client -connect "127.0.0.1:$ap" -servername server.example.test \
			-CAfile "$certs/ca-bundle.pem" -verify_return_error </dev/null >"$tmp/audit-cli-$ap.out" 2>&1 ;;
	expired:java)
		mkdir -p "$tmp/java"
		javac -d "$tmp/java" "$srcdir/pcaps/java/TlsClient.java" >"$tmp/javac.out" 2>&1 &&
		keytool -importcert -noprompt -alias root -file "$certs/root-ca.crt" -keystore "$tmp/java/trust.p12" \
			-storetype PKCS12 -storepass changeit >/dev/null 2>&1 || fail "javac/keytool: $(cat "$tmp/javac.out")"
		a_srv "$ap" -cert "$certs/server-expired.crt" -key "$certs/server-expired.key" $chain
		timeout 20 java -cp "$tmp/java" TlsClient 127.0.0.1 "$ap" server.example.test "$tmp/java/trust.p12" \
			>"$tmp/audit-cli-$ap.out" 2>&1 ;;
	esac
done
sleep 3.5   # the closes' linger, and the settling of the last connection
kill -INT $ta
wait_end $ta
[ -n "${tdpa:-}" ] && { kill "$tdpa" 2>/dev/null; wait "$tdpa" 2>/dev/null; }
audit_fail() {
	if [ -s "$tmp/audit.pcap" ]; then
		"$TLSDIAG" --ca-file "$certs/ca-bundle.pem" -r "$tmp/audit.pcap" >"$tmp/audit-file.out" 2>&1
		# the wire first, one line a packet: what decided the live verdict
		command -v tshark >/dev/null && tshark -r "$tmp/audit.pcap" -T fields -e frame.number \
			-e frame.time_relative -e tcp.stream -e tcp.srcport -e tcp.dstport -e tcp.flags.str \
			-e tls.record.length 2>/dev/null >"$tmp/00-audit-wire.out"
		[ -n "${TLSDIAG_KEEP:-}" ] && cp "$tmp/audit.pcap" "$TLSDIAG_KEEP/"
	fi
	fail "$1"
}
[ "$waited" = 1 ] || audit_fail "live audit: exit status $waited, expected 1"
# the same packets read from the tcpdump file: a rejection whose wire proves
# nothing (the file reading says completed too) is shown, not counted; live
# must agree with the file on every other one
audit_json=""
if [ -s "$tmp/audit.pcap" ]; then
	audit_json=$tmp/audit-file.json
	"$TLSDIAG" --json --ca-file "$certs/ca-bundle.pem" -r "$tmp/audit.pcap" >"$audit_json" 2>"$tmp/audit-file.err"
fi
python3 - "$tmp/audit.out" "$audit_json" "$tmp/audit.pcap" $ports <<'PY' || audit_fail "live audit of TLS 1.3 rejections without keys"
import json, shutil, subprocess, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
s = lines[-1]["summary"]
cases = dict(a.split(":", 1) for a in sys.argv[4:])
from_file = {}
if sys.argv[2]:
    for c in json.load(open(sys.argv[2], encoding="utf-8"))["connections"]:
        from_file[str(c["server"]["port"])] = c["outcome"]
streamed = {}
for c in lines:
    if "stream" in c:
        streamed[str(c["server"]["port"])] = c
rejections = [p for p, k in cases.items() if not k.startswith("healthy")]
for p in rejections:
    # a failure streamed as such, or counted failed after its report (a late refusal)
    c = streamed.get(p)
    if c is not None:
        assert c["outcome"] == "failed", (cases[p], c["outcome"], [f["id"] for f in c["findings"]])
        assert any(f["severity"] == "error" for f in c["findings"]), (cases[p], c["findings"])
        print("  %-20s failed: %s" % (cases[p], ", ".join(f["id"] for f in c["findings"] if f["severity"] == "error")))
for p, k in cases.items():
    if k.startswith("healthy"):
        assert p not in streamed, ("the healthy connection was streamed", streamed[p]["findings"])
late = s.get("failed_after_report", 0)
missing = [p for p in rejections if p not in streamed]
unproven = [p for p in missing if p in from_file and from_file[p] != "failed"]
for p in unproven:
    wire = shutil.which("tshark") and subprocess.run(["tshark", "-r", sys.argv[3], "-Y", "tcp.port == %s" % p, "-T", "fields", "-e", "frame.number",
                           "-e", "frame.time_relative", "-e", "tcp.srcport", "-e", "tcp.flags.str", "-e", "tls.record.length"],
                          capture_output=True, text=True).stdout
    print("  %-20s NOT COUNTED: read from the tcpdump file too it is %s; its wire:\n%s" % (cases[p], from_file[p], wire))
assert len(missing) - len(unproven) == late, ("rejections neither streamed failed nor counted failed later",
                                              [cases[p] for p in missing], from_file, s)
for p in missing:
    if p not in unproven:
        print("  %-20s failed after its report (a late refusal)" % cases[p])
assert s["failed"] == len(rejections) - len(unproven) and s["completed"] == 1 + len(unproven), s
assert len(unproven) <= 1, ("more than one rejection unproven by the wire", [cases[p] for p in unproven])
print("live audit: %d TLS 1.3 rejections without keys failed (%d unproven by this run's wire), the healthy one completed: OK"
      % (len(rejections) - len(unproven), len(unproven)))
PY
echo "live: PASS"
