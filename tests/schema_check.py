#!/usr/bin/env python3
"""schema_check.py - validate tlsdiag JSON and JSON Lines reports against man/tlsdiag.schema.json.

    schema_check.py SCHEMA json:FILE... jsonl:FILE...

Besides the schema (python3-jsonschema, a real validator), each report must
keep the problem view's promise: every connection with an error finding
belongs to exactly one error problem, listed there by file and stream.
"""
import json
import sys

import jsonschema


def problem_promise(name, conns, problems):
    errors = {p["id"]: p for p in problems if p["severity"] == "error"}
    members = {}
    for p in problems:
        for f in p["streams"]:
            for st in f["tcp_stream"]:
                members.setdefault((f["file"], st), []).append(p["id"])
    fail = []
    for c in conns:
        if not any(f["severity"] == "error" for f in c["findings"]):
            continue
        key = (c["file"], c["stream"])
        if c["problem"] not in errors:
            fail.append(f"{name}: stream {key}: an error, but problem {c['problem']} is no error problem")
        elif members.get(key) != [c["problem"]]:
            fail.append(f"{name}: stream {key}: listed in problems {members.get(key)}, not once in {c['problem']}")
    for p in problems:
        n = sum(len(f["tcp_stream"]) + f["not_listed"] for f in p["streams"])
        if n != p["connections"]:
            fail.append(f"{name}: problem {p['id']}: {p['connections']} connections, {n} streams")
    return fail


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    doc = cls(schema)
    line = cls({"$ref": "#/$defs/jsonl_line", "$defs": schema["$defs"]})
    fail, n = [], 0
    for arg in sys.argv[2:]:
        kind, name = arg.split(":", 1)
        text = open(name, encoding="utf-8").read()
        if kind == "json":
            items = [json.loads(text)]
            validator = doc
        else:
            items = [json.loads(t) for t in text.splitlines()]
            validator = line
        for k, item in enumerate(items):
            for e in validator.iter_errors(item):
                fail.append(f"{name}: item {k}: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")
        if kind == "json":
            conns, problems = items[0]["connections"], items[0]["problems"]
        else:
            conns = [i for i in items if "index" in i]
            problems = [i["problem"] for i in items if set(i) == {"problem"}]
            if "schema" not in items[-1]:
                fail.append(f"{name}: the last line is not the summary")
        fail += problem_promise(name, conns, problems)
        n += 1
    for f in fail[:50]:
        print("FAIL:", f)
    print(f"schema: {n} reports checked, {len(fail)} failures")
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
