#!/usr/bin/env python3
"""Check tlsdiag --format ecs against ECS's published field list and tlsdiag's own JSON.

Usage: ecs.py --tlsdiag PATH --fields tests/data/ecs/fields.txt [--template FILE] CAPTURE...

For every capture: each line of --format ecs is one JSON object; every
field (objects flattened to dotted names) is either an ECS field of the
list, with a value of its ECS type (keyword: string, long: integer, date:
ISO 8601 UTC string, ip: an address, boolean, float), or under "tlsdiag."
(custom fields, as ECS asks). An array holds values of the field's type.
The events agree with --json for the same capture: one per connection, in
order, with the same endpoints, SNI, cipher suite, JA3/JA3S/JA4 and
findings (ids and inferred labels); with --tshark, network.community_id is the communityid tshark
gives the same tcp.stream. With --template (docs/tlsdiag-index-template.json), every field
written is mapped there, ECS fields with their ECS type. Exit 0 when all hold, 1 otherwise. Python 3 standard library only.
"""

import argparse
import ipaddress
import json
import re
import subprocess
import sys

DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
REQUIRED = ("@timestamp", "ecs.version", "event.kind", "event.category", "event.outcome", "source.ip",
            "source.port", "destination.ip", "destination.port", "network.transport", "tlsdiag.outcome")


def is_ip(v):
    try:
        ipaddress.ip_address(v)
        return True
    except ValueError:
        return False


TYPES = {
    "keyword": lambda v: isinstance(v, str),
    "match_only_text": lambda v: isinstance(v, str),
    "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: isinstance(v, str) and bool(DATE.match(v)),
    "ip": lambda v: isinstance(v, str) and is_ip(v),
}


def load_fields(path):
    fields = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, type_ = line.split()
                fields[name] = type_
    return fields


def flatten(obj, prefix=""):
    """(dotted name, value) of every leaf; arrays of values stay values, arrays of objects are walked."""
    for k, v in obj.items():
        name = prefix + k
        if isinstance(v, dict):
            yield from flatten(v, name + ".")
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for x in v:
                yield from flatten(x, name + ".")
        else:
            yield name, v


def field_errors(event, fields):
    errs = []
    for name, value in flatten(event):
        if name.startswith("tlsdiag."):
            continue
        type_ = fields.get(name)
        if type_ is None:
            errs.append("%s is not an ECS field" % name)
            continue
        check = TYPES.get(type_)
        values = value if isinstance(value, list) else [value]
        if check is None or not all(check(v) for v in values):
            errs.append("%s = %r is not of ECS type %s" % (name, value, type_))
    names = dict(flatten(event))
    errs += ["%s is missing" % r for r in REQUIRED if r not in names]
    return errs


def template_errors(path, names, fields):
    """1 when the index template does not map a field written (with its ECS type), else 0."""
    with open(path, encoding="utf-8") as f:
        props = json.load(f)["template"]["mappings"]["properties"]
    mapped = {}

    def walk(p, prefix):
        for k, v in p.items():
            if "properties" in v:
                walk(v["properties"], prefix + k + ".")
            else:
                mapped[prefix + k] = v["type"]
    walk(props, "")
    bad = []
    for n in sorted(names):
        want = {"match_only_text": "text"}.get(fields.get(n), fields.get(n))
        if n not in mapped and not any(m.startswith(n + ".") for m in mapped):   # [] of objects
            bad.append("%s is not mapped" % n)
        elif want and mapped[n] != want:
            bad.append("%s is mapped as %s, ECS says %s" % (n, mapped[n], want))
    for t in bad:
        print("  FAIL %s: %s" % (path, t))
    return 1 if bad else 0


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if p.returncode not in (0, 1, 2):   # 2: unusable input, still a (short) report
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.decode()[-300:]))
    return p.stdout.decode("utf-8")


def agree(e, c):
    """Differences between an ECS event and the --json connection it stands for."""
    ch, sh = c["client_hello"], c["server_hello"]
    pairs = [
        ("source.ip", e["source"]["ip"], c["client"]["ip"]),
        ("source.port", e["source"]["port"], c["client"]["port"]),
        ("destination.port", e["destination"]["port"], c["server"]["port"]),
        ("tlsdiag.stream", e["tlsdiag"]["stream"], c["stream"]),
        ("tls.client.server_name", e["tls"]["client"].get("server_name"), c["sni"]),
        ("tls.cipher", e["tls"].get("cipher"), c["cipher_suite"]["name"] if c["cipher_suite"] else None),
        ("tls.client.ja3", e["tls"]["client"].get("ja3"), ch["fingerprints"]["ja3"] if ch else None),
        ("tlsdiag.ja4", e["tlsdiag"].get("ja4"), ch["fingerprints"]["ja4"] if ch else None),
        ("tls.server.ja3s", e["tls"]["server"].get("ja3s"), sh["fingerprints"]["ja3s"] if sh else None),
        ("tls.established", e["tls"]["established"], c["outcome"] == "completed"),
        ("tlsdiag.findings", [(f["id"], f.get("inferred")) for f in e["tlsdiag"]["findings"]],
         [(f["id"], f.get("inferred")) for f in c["findings"]]),
    ]
    pairs.append(("tlsdiag.problem", e["tlsdiag"].get("problem"), c["problem"]))
    chain = c["client_certificates"]
    pairs.append(("tlsdiag.client_certificates", e["tlsdiag"].get("client_certificates"),
                  chain["count"] if chain else None))
    return ["%s: ecs %r, json %r" % (n, a, b) for n, a, b in pairs if a != b]


def tshark_community_ids(tshark, cap):
    """{tcp.stream: Community ID} as tshark computes them (its communityid dissector)."""
    p = subprocess.run([tshark, "-n", "-r", cap, "--enable-protocol", "communityid", "-Y", "tcp", "-T", "fields",
                        "-e", "tcp.stream", "-e", "communityid"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=600)
    ids = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        f = line.split("\t")
        if len(f) == 2 and f[0].isdigit() and f[1]:
            ids.setdefault(int(f[0]), f[1])
    return ids


def check(tlsdiag, cap, fields, names, tshark=None):
    out = run([tlsdiag, "--format", "ecs", "-r", cap])
    ids = tshark_community_ids(tshark, cap) if tshark else None
    doc = json.loads(run([tlsdiag, "--json", "--json-full", "-r", cap]) or '{"connections": []}')   # {}: unusable input
    if out and not out.endswith("\n"):
        return ["the last line has no newline"], 0
    lines = out.split("\n")[:-1]   # not splitlines(): U+2028 and U+0085 may be in a string
    errs = []
    if len(lines) != len(doc["connections"]):
        errs.append("%d events, --json has %d connections" % (len(lines), len(doc["connections"])))
    for n, (line, c) in enumerate(zip(lines, doc["connections"]), 1):
        try:
            e = json.loads(line)
        except ValueError as x:
            errs.append("line %d is not one JSON object: %s" % (n, x))
            continue
        names.update(k for k, _ in flatten(e))
        if ids is not None and e["network"].get("community_id") != ids.get(e["tlsdiag"]["stream"]):
            errs.append("line %d: network.community_id %s, tshark %s" % (
                n, e["network"].get("community_id"), ids.get(e["tlsdiag"]["stream"])))
        errs += ["line %d: %s" % (n, t) for t in field_errors(e, fields) + agree(e, c)]
    return errs, len(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tlsdiag", required=True)
    ap.add_argument("--fields", required=True)
    ap.add_argument("--tshark", help="compare network.community_id with this tshark's")
    ap.add_argument("--template", help="an Elasticsearch index template that must map every field")
    ap.add_argument("captures", nargs="+")
    args = ap.parse_args()
    fields = load_fields(args.fields)
    n_fail = n_events = 0
    names = set()
    for cap in args.captures:
        errs, n = check(args.tlsdiag, cap, fields, names, args.tshark)
        n_events += n
        for t in errs[:10]:
            print("  FAIL %s: %s" % (cap, t))
        n_fail += bool(errs)
    if args.template:
        n_fail += template_errors(args.template, names, fields)
    print("ecs: %d captures, %d events, %d distinct fields (%d ECS, the rest tlsdiag.*), %d captures failing" % (
        len(args.captures), n_events, len(names), len([x for x in names if not x.startswith("tlsdiag.")]), n_fail))
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
