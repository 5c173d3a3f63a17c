#!/usr/bin/env python3
"""references.py - every finding a report's text names is a finding of that report.

Reads tlsdiag --json reports (files given, or stdin) and the catalogue
(tlsdiag --list-findings on the first argument line: --ids FILE). For each
connection (or bundle), each finding's summary, cause and fix may name other
findings ("see client-cert-empty", "(hostname-mismatch)"): each id named must
be among that connection's findings. Phrases that point at findings without
naming them ("as above", "the findings above") are refused: the reader of a
ticket cannot tell which ones, and a later format may order them otherwise.
Two more rules of issue 13 for every connection. An alert's cause names a finding
of that connection that explains it, or says that no finding does and that its
words are the alert name's generic meaning. And a report made with both trust
stores (its REPORT.what, written by references.sh, names --ca-file and
--client-ca-file) raises no trust error on a connection both sides completed:
each verifier accepted the other there, so an untrusted chain is a false one.
Prints one line per problem and exits 1 if there is any.
"""
import json
import os
import re
import sys

VAGUE = re.compile(r"as above|findings above|as the findings|the findings say", re.I)
GENERIC = "No finding of this connection explains"
TRUST = re.compile(r"untrusted|self-signed|issuer-not-requested")


def check(report, ids, where, problems, both_stores=False):
    groups = report.get("connections")
    if groups is None:
        groups = [report]   # --check-bundle: one list of findings
    for g in groups:
        present = {f["id"] for f in g.get("findings", [])}
        label = "%s connection %s" % (where, g.get("stream", "bundle"))
        for f in g.get("findings", []):
            if both_stores and g.get("outcome") == "completed" and TRUST.search(f["id"]) \
                    and f.get("severity") == "error":
                problems.append("%s: %s is an error on a completed connection judged with both trust stores"
                                % (label, f["id"]))
            # a repeated finding carries no text in --json (its problem's representative does)
            if f["id"] != "alert" or "summary" not in f:
                continue
            text = (f.get("cause") or "") + " " + (f.get("fix") or "")
            named = [t for t in re.findall(r"(?<![\w-])[a-z0-9]+(?:-[a-z0-9]+)*(?![\w-])", text)
                     if t in present and t != "alert"]
            if not named and GENERIC not in (f.get("cause") or ""):
                problems.append("%s: alert %r names no finding of this connection and does not say it is generic"
                                % (label, f["summary"]))
        for f in g.get("findings", []):
            for field in ("summary", "cause", "fix", "logged"):
                text = f.get(field) or ""
                if isinstance(text, list):
                    text = " ".join(x.get("line", "") if isinstance(x, dict) else str(x) for x in text)
                if VAGUE.search(text):
                    problems.append("%s: %s %s refers to findings without naming them: %s"
                                    % (label, f["id"], field, VAGUE.search(text).group(0)))
                for tok in re.findall(r"(?<![\w-])[a-z0-9]+(?:-[a-z0-9]+)+(?![\w-])", text):
                    if tok in ids and tok not in present:
                        problems.append("%s: %s %s names %s, which is not in this report (%s)"
                                        % (label, f["id"], field, tok, ", ".join(sorted(present))))


def main(argv):
    if len(argv) < 3 or argv[1] != "--ids":
        print("usage: references.py --ids CATALOGUE REPORT.json...", file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as fh:
        ids = {line.split("\t")[0] for line in fh if "-" in line.split("\t")[0]}
    problems = []
    n = 0
    for path in argv[3:]:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        if not text.strip():
            continue
        what = path[:-len(".json")] + ".what"
        both = False
        if os.path.exists(what):
            with open(what, encoding="utf-8") as fh:
                opts = fh.read().split()
            both = "--ca-file" in opts and "--client-ca-file" in opts
        check(json.loads(text), ids, path, problems, both)
        n += 1
    for p in problems:
        print("FAIL: " + p)
    print("references: %d reports, %d problems" % (n, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
