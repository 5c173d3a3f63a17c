#!/usr/bin/env python3
"""html_check.py - checks of one HTML report (tests/html.sh), Python 3 standard library only.

    html_check.py page REPORT.html REPORT.json    the page as tlsdiag wrote it
    html_check.py pages R1.html R1.json ...       many pages in one run (one Python start)

page: strictly well-formed (every element closed in order, no stray end tag, attributes
quoted), self-contained (no script, no event handler attribute, nothing fetched: no src, no
external href or url()), and it tells the problems the JSON report of the same capture has:
one section per problem of the JSON report (up to the cap the page states), in rank order, each
titled as the JSON problem, holding the finding ids of its representative, an SVG ladder with
an arrow and a Wireshark filter with the problem's streams.
What the browser makes of the page is html_render.py's.
"""
import json
import re
import sys
import unicodedata
from html.parser import HTMLParser

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}
SVG_LEAVES = {"line", "rect", "path", "circle", "polyline"}   # written as <x .../>
SECTION_CAP = 25


class Strict(HTMLParser):
    """Elements, their nesting and attributes; every problem raises."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors = [], []
        self.sections = []          # [{"id", "title", "finding_ids", "ladders", "arrows"}]
        self.in_h2 = None
        self.in_filter = None
        self.scripts = 0

    def err(self, msg):
        self.errors.append("line %d: %s" % (self.getpos()[0], msg))

    def check_attrs(self, tag, attrs):
        for k, v in attrs:
            if v is None:
                self.err("<%s> attribute %s without a value" % (tag, k))
            if k.startswith("on"):
                self.err("<%s> event handler attribute %s" % (tag, k))
            if k in ("src", "srcset", "action", "formaction", "background", "poster"):
                self.err("<%s %s=...>: the page must fetch nothing" % (tag, k))
            if k in ("href", "xlink:href") and v and not v.startswith("#"):
                self.err("<%s %s=%r>: only links within the page" % (tag, k, v))
            if v and re.search(r"url\(\s*['\"]?(?!#)", v):
                self.err("<%s %s=%r>: url() outside the page" % (tag, k, v))

    def handle_starttag(self, tag, attrs):
        self.check_attrs(tag, attrs)
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "section" and "problem" in (a.get("class") or "").split():
            self.sections.append({"id": a.get("id"), "title": "", "finding_ids": [], "ladders": 0, "arrows": 0,
                                  "filter": ""})
        cur = self.sections[-1] if self.sections and "section" in self.stack + [tag] else None
        if cur is not None:
            if tag == "li" and "finding" in (a.get("class") or "").split():
                cur["finding_ids"].append(a.get("data-id"))
            if tag == "svg" and "ladder" in (a.get("class") or "").split():
                cur["ladders"] += 1
            if tag == "g" and (a.get("class") or "").split()[:1] == ["m"]:
                cur["arrows"] += 1
            if tag == "h2":
                self.in_h2 = cur
            if tag == "code" and "filter" in (a.get("class") or "").split():
                self.in_filter = cur
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.check_attrs(tag, attrs)
        if tag not in VOID and tag not in SVG_LEAVES:
            self.err("<%s/> is not a void or SVG leaf element" % tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            self.err("end tag of void element </%s>" % tag)
            return
        if not self.stack or self.stack[-1] != tag:
            self.err("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "h2":
            self.in_h2 = None
        if tag == "code":
            self.in_filter = None

    def handle_data(self, data):
        if self.in_h2 is not None:
            self.in_h2["title"] += data
        if self.in_filter is not None:
            self.in_filter["filter"] += data + " "
        if "style" in self.stack and ("@import" in data or re.search(r"url\(\s*['\"]?(?!#|data:)", data)):
            self.err("the style sheet fetches something")

    def handle_comment(self, data):
        pass


def parse(path, strict=True):
    text = open(path, encoding="utf-8").read()   # invalid UTF-8 raises: the page must be UTF-8
    p = Strict()
    p.feed(text)
    p.close()
    if strict and p.stack:
        p.err("unclosed at the end: %s" % " ".join(p.stack))
    return text, p


def notable(conn):
    if conn.get("outcome") in ("failed", "not_tls"):
        return True
    return any(f.get("severity") in ("error", "warning") for f in conn.get("findings", []))


def display(text):
    """A title as a page shows it: invisible and control characters as the \\xHH of their UTF-8 bytes."""
    return "".join("".join("\\x%02x" % b for b in c.encode("utf-8"))
                   if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in "\\" else c for c in text)


def check_page(html_path, json_path):
    text, p = parse(html_path)
    errors = list(p.errors)
    if not text.startswith("<!DOCTYPE html>"):
        errors.append("no <!DOCTYPE html> first")
    if p.scripts:
        errors.append("%d <script> elements" % p.scripts)
    doc = json.load(open(json_path, encoding="utf-8"))
    want = doc.get("problems", [])
    conns = {(c["file"], c["stream"]): c for c in doc.get("connections", [])}
    m = re.search(r"(\d+) more problems are not told here", text)
    not_told = int(m.group(1)) if m else 0
    if len(p.sections) != min(len(want), SECTION_CAP):
        errors.append("%d problem sections, the JSON report has %d problems" % (len(p.sections), len(want)))
    if len(p.sections) + not_told != len(want):
        errors.append("%d told + %d not told != %d problems" % (len(p.sections), not_told, len(want)))
    grouped = sum(pr["connections"] for pr in want)
    in_problem = sum(1 for c in doc.get("connections", []) if c.get("problem"))
    if "connections" in doc and grouped != in_problem:
        errors.append("the problems count %d connections, %d connections name a problem" % (grouped, in_problem))
    for i, (sec, pr) in enumerate(zip(p.sections, want), 1):
        if sec["id"] != "p%d" % i:
            errors.append("section %d has id %r" % (i, sec["id"]))
        title = re.sub(r"^(ERROR|WARNING|INFO)", "", " ".join(sec["title"].split()))   # the severity badge
        if not title.startswith("Problem %d: " % i) or " ".join(display(pr["title"]).split()) not in title:
            errors.append("section %d title %r, JSON problem %r" % (i, sec["title"], pr["title"]))
        rep = conns.get((pr["representative"]["file"], pr["representative"]["stream"]))
        if rep is None:
            errors.append("section %d: representative %s not among the JSON connections" % (i, pr["representative"]))
        else:
            ids = sorted(f["id"] for f in rep.get("findings", []))
            if sorted(sec["finding_ids"]) != ids:
                errors.append("section %d (stream %s): findings %s, JSON %s" % (i, rep["stream"], sec["finding_ids"], ids))
        if not set(pr["finding_ids"]) <= set(sec["finding_ids"]):
            errors.append("section %d: findings %s lack the problem's %s" % (i, sec["finding_ids"], pr["finding_ids"]))
        if sec["ladders"] != 1 or sec["arrows"] < 1:
            errors.append("section %d: %d ladders, %d arrows" % (i, sec["ladders"], sec["arrows"]))
        streams = sorted(s for f in pr["streams"] for s in f["tcp_stream"])
        if not all(("%d" % s) in sec["filter"].split("{")[-1].replace("}", " ").split() or sec["filter"].endswith("eq %d" % s)
                   for s in streams[:50]):
            errors.append("section %d: filter %r does not hold streams %s" % (i, sec["filter"], streams[:50]))
    return errors


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "pages":
        bad = 0
        for html, js in zip(args[0::2], args[1::2]):
            errors = check_page(html, js)
            for e in errors:
                print("%s: %s" % (html, e))
            bad += bool(errors)
        print("%d pages, %d with problems" % (len(args) // 2, bad))
        return 1 if bad else 0
    errors = {"page": check_page}[mode](*args)
    for e in errors:
        print("%s: %s" % (args[0], e))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
