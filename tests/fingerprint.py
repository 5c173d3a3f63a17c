#!/usr/bin/env python3
"""Differential test of tlsdiag's JA3, JA3S and JA4 (src/fingerprint.c).

Usage: fingerprint.py --fp-dump PATH --tlsdiag PATH [--exceptions FILE]
                      [--captures-in DIR]... [--ja4-expected FILE --ja4-pcaps DIR]
                      [-j N] [-v] [CAPTURE...]

(a) JA3 / JA3S against Wireshark: for every capture, every ClientHello,
    HelloRetryRequest and ServerHello that tests/fp_dump prints is compared,
    by frame number, with tshark's tls.handshake.ja3 and ja3_full (client)
    or ja3s and ja3s_full (server) of that frame. A fingerprint on one side
    only is a disagreement too. tshark runs with the preferences and the
    decode-as ports of tests/tshark_diff.py (whose functions are reused).

(b) JA4 against FoxIO's reference: every line "CAPTURE STREAM CLIENT SERVER
    JA4" of the expected file (tests/data/ja4/expected.txt, from the
    snapshot files of FoxIO-LLC/ja4) is compared with the ja4 of the first
    ClientHello tlsdiag reports between those endpoints, CAPTURE read from
    the --ja4-pcaps directory.

(c) JA4 against FoxIO's reference implementation on tlsdiag's own captures:
    every line "CAPTURE STREAM HELLO CLIENT SERVER JA4 JA4_R JA4_O JA4_RO"
    of the --ja4-reference file (tests/data/ja4/reference.txt, made by
    running FoxIO's python/ja4.py over pcaps/) is compared with the
    fingerprints of the HELLO-th ClientHello of that connection in
    tlsdiag's JSON (client_hello, second_client_hello, later_client_hellos);
    a ClientHello of a capture under --ja4-reference-dir (pcaps/) that
    tlsdiag fingerprints and the reference does not is a disagreement too. Needs no FoxIO checkout.

Known, reasoned disagreements go in the exceptions file, one per line:

    capture-basename number field reason...

field is ja3 or ja3s (number: the frame of the hello, or "-" for the whole
capture) or ja4 (number: the stream of the expected line). Only where the other side is demonstrably
wrong; an exception that matches nothing compared in the run is a failure.

Exit status: 0 agree, 1 disagree (or an unused exception, or a tool
failure), 2 bad usage. Python 3 standard library only.
"""

import argparse
import concurrent.futures
import fnmatch
import ipaddress
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
import tshark_diff  # noqa: E402  (exceptions, decode-as ports, tshark preferences)

FIELDS = ("ja3", "ja3s", "ja4")
JA4_FORMS = ("ja4", "ja4_r", "ja4_o", "ja4_ro")
FP_DUMP_COLUMNS = ("stream", "frame", "hello", "client", "server",
                   "ja3", "ja3_full", "ja3s", "ja3s_full", "ja4", "ja4_r", "ja4_o", "ja4_ro")
TSHARK_FIELDS = ("frame.number", "tls.handshake.type", "tls.handshake.ja3",
                 "tls.handshake.ja3_full", "tls.handshake.ja3s", "tls.handshake.ja3s_full")


def die(msg):
    print("fingerprint: " + msg, file=sys.stderr)
    sys.exit(2)


def captures_in(directory):
    """The capture files under directory, by the names tshark_diff.sh looks for."""
    found = []
    for root, _, files in os.walk(directory):
        found += [os.path.join(root, f) for f in files
                  if fnmatch.fnmatch(f, "*.pcap*") or fnmatch.fnmatch(f, "*.cap*")]
    return sorted(found)


def norm_endpoint(s):
    addr, _, port = s.rpartition(":")
    try:
        addr = str(ipaddress.ip_address(addr.strip("[]")))
    except ValueError:
        pass
    return (addr, port)


def run_fp_dump(fp_dump, cap):
    """fp_dump's lines as dicts, or (None, error)."""
    try:
        p = subprocess.run([fp_dump, cap], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "cannot run %s: %s" % (fp_dump, e)
    if p.returncode != 0:
        return None, "fp_dump exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace").strip())
    rows = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        f = line.split("\t")
        if len(f) != len(FP_DUMP_COLUMNS):
            return None, "fp_dump printed %r" % line
        row = dict(zip(FP_DUMP_COLUMNS, (None if v == "-" else v for v in f)))
        row["frame"] = int(row["frame"])
        rows.append(row)
    return rows, None


def run_tshark(tshark, cap, ports):
    """{(frame, side): [(hash, full), ...]} of the hellos tshark fingerprints,
    and the set of (frame, side) where it shows a hello without one."""
    cmd = [tshark, "-n", "-r", cap] + tshark_diff.TSHARK_PREFS
    for p in ports:
        cmd += ["-d", "tcp.port==%d,tls" % p]
    cmd += ["-Y", "tcp && (tls.handshake.type == 1 || tls.handshake.type == 2)", "-T", "fields",
            "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|"]
    for f in TSHARK_FIELDS:
        cmd += ["-e", f]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=tshark_diff.TSHARK_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, None, "cannot run tshark: %s" % e
    fps, bare = {}, set()
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        f = line.split("\t")
        f += [""] * (len(TSHARK_FIELDS) - len(f))
        frame, types = int(f[0]), f[1].split("|")
        for side, type_, h, full in (("client", "1", f[2], f[3]), ("server", "2", f[4], f[5])):
            if h:
                fps[(frame, side)] = list(zip(h.split("|"), full.split("|")))
            elif type_ in types:
                bare.add((frame, side))   # e.g. an SSLv2 message with the same type number
    if p.returncode != 0 and not fps:
        return None, None, "tshark exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-300:])
    return fps, bare, None


def ja3_diffs(rows, fps, bare):
    """[(frame, field, text)] and the number of hellos compared."""
    diffs, compared, seen = [], 0, set()
    for r in rows:
        side = "client" if r["hello"] == "client_hello" else "server"
        field = "ja3" if side == "client" else "ja3s"
        key = (r["frame"], side)
        seen.add(key)
        ours = (r[field], r[field + "_full"]) if r[field] else None
        theirs = fps.get(key)
        if ours is None and theirs is None:
            if key in bare:
                compared += 1   # both see the hello, neither fingerprints it
            continue
        compared += 1
        if theirs is None:
            diffs.append((r["frame"], field, "%s: tlsdiag %s %s, tshark none" % (r["hello"], *ours)))
        elif ours is None:
            diffs.append((r["frame"], field, "%s: tlsdiag none, tshark %s" % (r["hello"], theirs)))
        elif ours not in theirs:
            diffs.append((r["frame"], field, "%s: tlsdiag %s %s, tshark %s" % (r["hello"], *ours, theirs)))
    for (frame, side), theirs in sorted(fps.items()):
        if (frame, side) not in seen:
            field = "ja3" if side == "client" else "ja3s"
            diffs.append((frame, field, "tlsdiag keeps no %s hello in this frame, tshark %s" % (side, theirs)))
    return diffs, compared


def check_capture(cap, args):
    out = {"cap": cap, "diffs": [], "compared": 0}
    doc, err = tshark_diff.run_tlsdiag(args.tlsdiag, cap)
    rows, err2 = run_fp_dump(args.fp_dump, cap) if not err else (None, None)
    if err or err2:
        out["diffs"].append(("-", "ja3", err or err2))
        return out
    ports = tshark_diff.decode_as_ports(doc, tshark_diff.tshark_tls_ports(args.tshark, None))
    fps, bare, err = run_tshark(args.tshark, cap, ports)
    if err:
        out["diffs"].append(("-", "ja3", err))
        return out
    out["diffs"], out["compared"] = ja3_diffs(rows, fps, bare)
    out["hellos"] = json_client_hellos(doc)
    return out


def json_client_hellos(doc):
    """{(client, server): (stream, [fingerprints of each ClientHello, in order])} of tlsdiag's JSON."""
    hellos = {}
    for c in doc.get("connections", []):
        ends = tuple(norm_endpoint("%s:%s" % (c[k]["ip"], c[k]["port"])) for k in ("client", "server"))
        chs = [c.get("client_hello"), c.get("second_client_hello")] + c.get("later_client_hellos", [])
        hellos[ends] = (c["stream"], [h["fingerprints"] for h in chs if h])
    return hellos


def load_reference(path):
    """{capture: [(stream, hello, client, server, {form: value})]} of the --ja4-reference file."""
    ref = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            p = line.split()
            if len(p) != 9 or not p[1].isdigit() or not p[2].isdigit():
                die("%s:%d: expected 'CAPTURE STREAM HELLO CLIENT SERVER JA4 JA4_R JA4_O JA4_RO'" % (path, lineno))
            ref.setdefault(p[0], []).append((int(p[1]), int(p[2]), norm_endpoint(p[3]), norm_endpoint(p[4]),
                                             dict(zip(JA4_FORMS, p[5:]))))
    return ref


def reference_diffs(lines, hellos):
    """[(stream, text)] between the reference lines of one capture and tlsdiag's hellos, and the count compared."""
    diffs, seen = [], set()
    for stream, n, client, server, want in lines:
        ends = (client, server) if (client, server) in hellos else (server, client)
        got_stream, fps = hellos.get(ends, (stream, []))
        seen.add((ends, n))
        if len(fps) < n:
            diffs.append((stream, "ClientHello %d: FoxIO %s, tlsdiag has no such ClientHello" % (n, want["ja4"])))
            continue
        for form in JA4_FORMS:
            if fps[n - 1][form] != want[form]:
                diffs.append((stream, "ClientHello %d %s: FoxIO %s, tlsdiag %s" % (n, form, want[form],
                                                                                  fps[n - 1][form])))
    for ends, (stream, fps) in sorted(hellos.items()):
        for i, fp in enumerate(fps, 1):
            if fp["ja4"] and (ends, i) not in seen:
                diffs.append((stream, "ClientHello %d: tlsdiag %s, FoxIO's tool gives none" % (i, fp["ja4"])))
    return diffs, len(lines)


def check_ja4(args):
    """[(capture, stream, text)] and the number of expected values compared."""
    expected = {}
    with open(args.ja4_expected, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            p = line.split()
            if len(p) != 5 or not p[1].isdigit():
                die("%s:%d: expected 'CAPTURE STREAM CLIENT SERVER JA4'" % (args.ja4_expected, lineno))
            expected.setdefault(p[0], []).append((int(p[1]), norm_endpoint(p[2]), norm_endpoint(p[3]), p[4]))
    diffs, compared = [], 0
    for cap, lines in sorted(expected.items()):
        rows, err = run_fp_dump(args.fp_dump, os.path.join(args.ja4_pcaps, cap))
        if err:
            diffs.append((cap, "-", err))
            continue
        first = {}
        for r in rows:
            if r["hello"] == "client_hello":
                first.setdefault((norm_endpoint(r["client"]), norm_endpoint(r["server"])), r)
        for stream, client, server, ja4 in lines:
            compared += 1
            r = first.get((client, server)) or first.get((server, client))
            got = r["ja4"] if r else None
            if got != ja4:
                diffs.append((cap, stream, "expected %s, tlsdiag %s%s" % (
                    ja4, got, " (frame %d)" % r["frame"] if r else " (no ClientHello)")))
    return diffs, compared


def report(cap, number, field, text, exc, verbose):
    """1 for a disagreement, 0 for an excepted one."""
    e = exc.match(os.path.basename(cap), number, field)
    if e:
        if verbose:
            print("  excepted %s %s %s: %s (%s:%d)" % (os.path.basename(cap), field, number, text,
                                                     exc.path, e[4]))
        return 0
    print("  DIFF %s %s %s: %s" % (os.path.basename(cap), field, number, text))
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fp-dump", required=True, help="path of tests/fp_dump")
    ap.add_argument("--tlsdiag", required=True, help="path of tlsdiag (its JSON gives the decode-as ports)")
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--exceptions")
    ap.add_argument("--ja4-expected", help="CAPTURE STREAM CLIENT SERVER JA4 lines")
    ap.add_argument("--ja4-reference", help="CAPTURE STREAM HELLO CLIENT SERVER JA4 JA4_R JA4_O JA4_RO lines")
    ap.add_argument("--ja4-reference-dir", help="every capture under it is in --ja4-reference (none listed: "
                    "FoxIO's tool gives no JA4 for it)")
    ap.add_argument("--ja4-pcaps", help="directory holding the captures of --ja4-expected")
    ap.add_argument("--captures-in", action="append", default=[], metavar="DIR",
                    help="compare every capture under DIR too")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("captures", nargs="*", metavar="CAPTURE")
    args = ap.parse_args()
    exc = tshark_diff.Exceptions(args.exceptions, FIELDS)
    for d in args.captures_in:
        args.captures += captures_in(d)
    args.captures = list(dict.fromkeys(args.captures))   # each once
    ran = set()                   # (basename, field kind) compared in this run

    reference = load_reference(args.ja4_reference) if args.ja4_reference else {}
    if args.ja4_reference_dir:
        args.ja4_reference_dir = os.path.join(os.path.abspath(args.ja4_reference_dir), "")
    n_fail = n_hellos = n_ja3_diffs = n_ref = n_ref_diffs = n_ref_fail = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for r in pool.map(lambda c: check_capture(c, args), args.captures):
            base = os.path.basename(r["cap"])
            covered = args.ja4_reference_dir and os.path.abspath(r["cap"]).startswith(args.ja4_reference_dir)
            if (base in reference or covered) and "hellos" in r:
                diffs, n = reference_diffs(reference.pop(base, []), r["hellos"])
                n_ref += n
                n_ref_diffs += len(diffs)
                ran.add((base, "ja4"))
                for stream, text in diffs:
                    n_ref_fail += report(r["cap"], stream, "ja4", text, exc, args.verbose)
            n_hellos += r["compared"]
            n_ja3_diffs += len(r["diffs"])
            ran.update({(os.path.basename(r["cap"]), "ja3"), (os.path.basename(r["cap"]), "ja3s")})
            for frame, field, text in r["diffs"]:
                n_fail += report(r["cap"], frame, field, text, exc, args.verbose)
    print("fingerprint: JA3/JA3S: %d captures, %d hellos compared with tshark, %d agree, "
          "%d disagree (%d of them excepted)" % (len(args.captures), n_hellos, n_hellos - n_ja3_diffs,
                                                 n_ja3_diffs, n_ja3_diffs - n_fail))
    if args.ja4_reference:
        whole_dir = args.ja4_reference_dir in (os.path.join(os.path.abspath(d), "") for d in args.captures_in)
        for base in sorted(reference) if whole_dir else ():   # listed, but no such capture
            n_ref_diffs += 1
            n_ref_fail += report(base, "-", "ja4", "in %s, not among the captures" % args.ja4_reference, exc,
                                 args.verbose)
        print("fingerprint: JA4: %d values of FoxIO's reference implementation on tlsdiag's captures compared, "
              "%d disagree (%d of them excepted)" % (n_ref, n_ref_diffs, n_ref_diffs - n_ref_fail))
        n_fail += n_ref_fail
    if args.ja4_expected and args.ja4_pcaps:
        diffs, n = check_ja4(args)
        f0 = n_fail
        for cap, stream, text in diffs:
            n_fail += report(cap, stream, "ja4", text, exc, args.verbose)
        ran.update((e[0], "ja4") for e in exc.entries if e[2] == "ja4")
        print("fingerprint: JA4: %d values of FoxIO's reference compared, %d agree, "
              "%d disagree (%d of them excepted)" % (n, n - len(diffs), len(diffs),
                                                     len(diffs) - (n_fail - f0)))
    unused = [e for e in exc.entries if not e[5] and (e[0], e[2]) in ran]
    for e in unused:
        print("  UNUSED exception %s:%d: %s %s %s" % (exc.path, e[4], e[0], e[1], e[2]))
    print("fingerprint: %d disagreement%s, %d unused exception%s" % (
        n_fail, "" if n_fail == 1 else "s", len(unused), "" if len(unused) == 1 else "s"))
    return 1 if n_fail or unused else 0


if __name__ == "__main__":
    sys.exit(main())
