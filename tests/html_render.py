#!/usr/bin/env python3
"""html_render.py - every HTML report rendered in one headless Chromium (tests/html.sh), Python 3 standard library only.

    html_render.py BROWSER LIST                   LIST: lines "REPORT.html REPORT.json"
    html_render.py BROWSER --self-test R.html R.json   the checks fail on broken copies of a page

One browser process for all the pages, driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: NUL-separated JSON on fds 3 and 4, no websocket needed). Each page is
loaded from its file and, once loaded and its fonts ready, asked for what was laid out:

- every problem of the JSON report (up to the page's cap) is a section titled as the JSON problem,
  with one ladder SVG holding one arrow per message of its representative (the JSON messages,
  the TLS 1.3 records logged by size, a not-TLS prefix, the TCP close), each arrow in the right
  direction at its frame, with a label;
- layout: no section, title, picture, table or filter of zero size; every drawn element of every
  SVG inside its viewBox; no two texts of an SVG on top of each other; the page no wider than
  the window; the style sheet applied (an alert arrow is red);
- the browser logged no error or warning, threw nothing, fetched nothing but the page, and built
  no script element;
- painted: the window's screenshot is not blank, and each ladder's screenshot has ink, and red
  where it draws an alert (the pixels counted by the browser, on a canvas outside the document).
A failure prints "REPORT.html: what"; the last line counts the pages and the seconds.
--self-test: the page passes, and each of its MUTANTS (an arrow lost, no style sheet, ...) fails
with the message its check gives: a check that cannot fail checks nothing.
"""
import fcntl
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree (read-only under make distcheck)
import html_check  # noqa: E402

WIDTH, HEIGHT = 900, 1200
PAGE_TIMEOUT = 30.0     # seconds for one answer of the browser: a hung Chromium fails the test, not hangs it
LIM_RECORD_LOG = 12     # src/limits.h: TLS 1.3 records logged by size per side
LIM_TIMELINE = 256      # src/limits.h: messages kept per connection
LADDER_ROWS = LIM_TIMELINE + 2 * LIM_RECORD_LOG + 4   # src/html_draw.c

# Runs in the page (DevTools evaluation is not subject to the page's CSP, which forbids scripts).
COLLECT = r"""
(() => {
  const box = (r) => [Math.round(r.x * 10) / 10, Math.round(r.y * 10) / 10, Math.round(r.width * 10) / 10, Math.round(r.height * 10) / 10];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('class') ? '.' + el.getAttribute('class').split(' ').join('.') : '');
  const out = {scripts: document.querySelectorAll('script').length, vw: document.documentElement.clientWidth,
               sw: document.documentElement.scrollWidth, zero: [], svgs: [], sections: []};
  for (const el of document.querySelectorAll('section.problem, section.problem h2, svg, table, code.filter, li.finding, h1, #headline')) {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) out.zero.push(name(el) + ' ' + JSON.stringify(box(r)));
  }
  out.wide = [];   // what sticks out of the window: the innermost elements past its right edge
  if (out.sw > out.vw)
    for (const el of document.querySelectorAll('body *')) {
      if (el.getBoundingClientRect().right <= out.vw + 0.5) continue;
      if ([...el.children].some((c) => c.getBoundingClientRect().right > out.vw + 0.5)) continue;
      out.wide.push(name(el) + ' "' + el.textContent.slice(0, 60) + '" ' + JSON.stringify(box(el.getBoundingClientRect())));
      if (out.wide.length == 3) break;
    }
  for (const svg of document.querySelectorAll('svg')) {
    const vb = svg.viewBox.baseVal, s = {cls: svg.getAttribute('class'), vb: [vb.x, vb.y, vb.width, vb.height], outside: [], overlap: []};
    const texts = [];
    for (const el of svg.querySelectorAll('text, line, rect, path, circle, polyline')) {
      if (el.closest('marker, defs')) continue;
      if (el.tagName === 'text' && !el.textContent.trim()) continue;
      const b = el.getBBox();
      if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 || b.y + b.height > vb.y + vb.height + 0.5)
        s.outside.push(name(el) + ' "' + el.textContent.slice(0, 40) + '" ' + JSON.stringify(box(b)));
      if (el.tagName === 'text') texts.push([el, b]);
    }
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++) {
        const [e1, a] = texts[i], [e2, b] = texts[j];
        const dx = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
        const dy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
        if (dx > 1 && dy > 2)
          s.overlap.push('"' + e1.textContent.slice(0, 40) + '" ' + JSON.stringify(box(a)) + ' and "' + e2.textContent.slice(0, 40) + '" ' + JSON.stringify(box(b)));
      }
    s.outside = s.outside.slice(0, 5); s.overlap = s.overlap.slice(0, 5);
    out.svgs.push(s);
  }
  for (const sec of document.querySelectorAll('section.problem')) {
    const h2 = sec.querySelector('h2'), ladders = sec.querySelectorAll('svg.ladder');
    const s = {id: sec.id, title: h2 ? h2.textContent : '', ladders: ladders.length, arrows: [], rect: null};
    if (ladders.length) {
      const svg = ladders[0], r = svg.getBoundingClientRect();
      s.rect = [r.x + window.scrollX, r.y + window.scrollY, r.width, r.height];
      for (const g of svg.querySelectorAll('g.m')) {
        const line = g.querySelector('line'), label = g.querySelector('.llabel');
        const a = {frame: +g.dataset.frame, cls: g.getAttribute('class'), label: label ? label.textContent : '', dir: '', stroke: '', lw: 0};
        if (line) {
          a.dir = +line.getAttribute('x1') < +line.getAttribute('x2') ? 'client' : 'server';
          a.stroke = getComputedStyle(line).stroke;
          a.lw = line.getBoundingClientRect().width;
        }
        if (label) a.lbox = box(label.getBBox());
        s.arrows.push(a);
      }
    }
    out.sections.push(s);
  }
  return JSON.stringify(out);
})()
"""

# Runs in the page too, after the checks of its DOM (its CSP lets it load data: images; the canvas
# is never put into the document): counts the pixels of a PNG screenshot.
PIXELS = r"""
(async (b64) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + b64;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.width; c.height = img.height;
  const x = c.getContext('2d');
  x.drawImage(img, 0, 0);
  const d = x.getImageData(0, 0, img.width, img.height).data, colours = new Set();
  let ink = 0, red = 0;
  for (let i = 0; i < d.length; i += 4) {
    colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) ink++;
    if (d[i] > 150 && d[i + 1] < 90 && d[i + 2] < 90) red++;
  }
  return JSON.stringify({w: img.width, h: img.height, colours: colours.size, ink: ink, red: red});
})
"""


def high_fd(fd):
    """fd moved above 9, so that putting one on fd 3 or 4 cannot clobber the other."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class Browser:
    """One headless Chromium, spoken to over --remote-debugging-pipe."""

    def __init__(self, exe, tmp):
        self.buf, self.nid, self.events = b"", 0, []
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        to_chrome_r, from_chrome_w = high_fd(to_chrome_r), high_fd(from_chrome_w)
        self.err = open(os.path.join(tmp, "chromium.err"), "w")
        def child():   # the pipe's ends on fds 3 and 4, where Chromium expects them; not close-on-exec
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)
        self.proc = subprocess.Popen([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                      "--no-first-run", "--disable-extensions", "--disable-background-networking",
                                      "--disable-sync", "--mute-audio", "--disable-renderer-backgrounding", "--remote-debugging-pipe",
                                      "--user-data-dir=" + os.path.join(tmp, "profile"), "about:blank"],
                                     close_fds=False, preexec_fn=child, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        os.close(to_chrome_r)
        os.close(from_chrome_w)

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            r = select.select([self.from_chrome], [], [], max(left, 0))[0] if left > 0 else []
            if not r:
                raise TimeoutError("no answer from the browser in %.0f s" % PAGE_TIMEOUT)
            data = os.read(self.from_chrome, 1 << 20)
            if not data:
                raise EOFError("the browser closed its pipe (exit %s)" % self.proc.poll())
            self.buf += data
        msg, _, self.buf = self.buf.partition(b"\0")
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.nid += 1
        msg = {"id": self.nid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + PAGE_TIMEOUT
        while True:
            m = self._read(deadline)
            if m.get("id") == self.nid:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"].get("message")))
                return m["result"]
            self.events.append(m)

    def wait_event(self, method, session):
        deadline = time.monotonic() + PAGE_TIMEOUT
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._read(deadline))

    def tab(self):
        tid = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        return self.call("Target.attachToTarget", {"targetId": tid, "flatten": True})["sessionId"]

    def evaluate(self, session, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "awaitPromise": True, "returnByValue": True}, session)
        if "exceptionDetails" in r:
            raise RuntimeError("evaluation: %s" % r["exceptionDetails"].get("exception", {}).get("description"))
        return json.loads(r["result"]["value"])

    def close(self):
        try:
            self.call("Browser.close")
        except (OSError, TimeoutError, EOFError, RuntimeError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def expected_arrows(conn):
    """The arrows html_draw.c draws for a connection, counted from its JSON: (frame, from) of each."""
    want = [(m["frame"], m["from"]) for m in conn.get("messages", [])]
    tcp = conn.get("tcp") or {}
    tls13 = conn.get("version") == "TLS 1.3" and conn.get("server_hello")
    for side in ("client", "server"):
        d = tcp.get(side) or {}
        if d.get("not_tls") and not any(f == side for _, f in want):
            want.append((None, side))   # the prefix's frame is not in the JSON
        if tls13:
            want += [(None, side)] * min(d.get("application_data_records", 0), LIM_RECORD_LOG)
    if tcp.get("close") in ("fin", "rst"):
        want.append((tcp["close_frame"], tcp["closed_by"]))
    return want[:LADDER_ROWS]


def check_sections(dom, doc):
    errors = []
    problems = doc.get("problems", [])
    conns = {(c["file"], c["stream"]): c for c in doc.get("connections", [])}
    if len(dom["sections"]) != min(len(problems), html_check.SECTION_CAP):
        errors.append("%d problem sections rendered, the JSON report has %d problems" % (len(dom["sections"]), len(problems)))
    for i, (sec, pr) in enumerate(zip(dom["sections"], problems), 1):
        where = "section %d (%s)" % (i, sec["id"])
        title = re.sub(r"^(ERROR|WARNING|INFO)", "", " ".join(sec["title"].split()))   # the severity badge
        if title != "Problem %d: %s" % (i, " ".join(html_check.display(pr["title"]).split())):
            errors.append("%s: title %r, JSON problem %r" % (where, title, pr["title"]))
        if sec["ladders"] != 1:
            errors.append("%s: %d ladders" % (where, sec["ladders"]))
            continue
        rep = conns.get((pr["representative"]["file"], pr["representative"]["stream"]))
        if rep is None:
            errors.append("%s: representative not among the JSON connections" % where)
            continue
        want, got = expected_arrows(rep), sec["arrows"]
        if len(got) != len(want):
            errors.append("%s: %d arrows, the representative's JSON (stream %d) gives %d" % (where, len(got), rep["stream"], len(want)))
        rest = list(got)
        # each expected arrow in its direction: those of a known frame first, then the rest take what is left
        for frame, side in sorted(want, key=lambda w: w[0] is None):
            hit = next((a for a in rest if a["dir"] == side and (frame is None or a["frame"] == frame)), None)
            if hit is None:
                errors.append("%s: no arrow from the %s at frame %s" % (where, side, frame))
                break
            rest.remove(hit)
        for a in got:
            if not a["label"].strip() or not a.get("lbox") or a["lbox"][2] < 1:
                errors.append("%s: the arrow of frame %d has no visible label" % (where, a["frame"]))
            if a["lw"] < 100:
                errors.append("%s: the arrow of frame %d is %.0f px wide" % (where, a["frame"], a["lw"]))
            red = "alert" in a["cls"].split() or "inferred" in a["cls"].split() or "reset" in a["cls"].split()
            if red and a["stroke"] != "rgb(198, 40, 40)":
                errors.append("%s: alert arrow of frame %d drawn in %s, not the style sheet's red" % (where, a["frame"], a["stroke"]))
    return errors


def check_layout(dom):
    errors = ["zero size: %s" % z for z in dom["zero"][:5]]
    if dom["sw"] > dom["vw"]:
        errors.append("the page is %d px wide in a %d px window: %s" % (dom["sw"], dom["vw"], "; ".join(dom["wide"])))
    for s in dom["svgs"]:
        errors += ["svg.%s viewBox %s: outside: %s" % (s["cls"], s["vb"], o) for o in s["outside"]]
        errors += ["svg.%s: texts overlap: %s" % (s["cls"], o) for o in s["overlap"]]
    if dom["scripts"]:
        errors.append("the browser built %d <script> elements" % dom["scripts"])
    return errors


def pixels(br, tab, shot):
    return br.evaluate(tab, PIXELS.strip() + "(" + json.dumps(shot["data"]) + ")")


def check_paint(br, tab, dom):
    errors = []
    # half size: enough to tell a drawn page from a blank one, and half the time of a full one
    shot = br.call("Page.captureScreenshot", {"format": "png", "clip": {"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT,
                                                                      "scale": 0.5}}, tab)
    px = pixels(br, tab, shot)
    if px["colours"] < 16 or px["ink"] < px["w"] * px["h"] // 100:
        errors.append("the screenshot is blank: %d colours, %d of %d pixels drawn" % (px["colours"], px["ink"], px["w"] * px["h"]))
    for sec in dom["sections"]:
        if not sec["rect"] or sec["rect"][2] < 1:
            continue
        x, y, w, h = sec["rect"]
        # scrolled into the window: a capture beyond it lays the page out again, twice as slow
        beyond = h > HEIGHT
        if not beyond:
            br.evaluate(tab, "window.scrollTo(0, %d); '0'" % int(y))
        shot = br.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": beyond,
                                                  "clip": {"x": x, "y": y, "width": w, "height": min(h, 4000), "scale": 0.5}}, tab)
        px = pixels(br, tab, shot)
        if px["ink"] < px["w"] * px["h"] // 50:
            errors.append("%s: the ladder is not painted: %d of %d pixels drawn" % (sec["id"], px["ink"], px["w"] * px["h"]))
        alerts = [a for a in sec["arrows"] if set(a["cls"].split()) & {"alert", "inferred", "reset"}]
        if alerts and px["red"] < 20 * len(alerts):
            errors.append("%s: %d red arrows, %d red pixels painted" % (sec["id"], len(alerts), px["red"]))
    return errors


def console_errors(br, tab, url):
    """What the browser said about the page since it was asked to load it."""
    errors, keep = [], []
    for e in br.events:
        if e.get("sessionId") != tab:
            continue
        m, p = e.get("method"), e.get("params", {})
        if m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            errors.append("console %s: %s" % (p["entry"]["level"], p["entry"]["text"][:200]))
        elif m == "Runtime.exceptionThrown":
            errors.append("exception: %s" % p["exceptionDetails"].get("text"))
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            errors.append("console.%s called" % p["type"])
        elif m == "Network.requestWillBeSent" and p["request"]["url"] != url:
            errors.append("fetched %s" % p["request"]["url"][:200])
        elif m == "Page.javascriptDialogOpening":
            errors.append("a dialog opened")
    br.events = keep
    return errors


SPENT = {"load": 0.0, "dom": 0.0, "paint": 0.0}   # seconds, for the last line


def render(br, tab, html, js):
    url = "file://" + os.path.abspath(html)
    t0 = time.monotonic()
    br.events = []
    nav = br.call("Page.navigate", {"url": url}, tab)
    if nav.get("errorText"):
        return ["navigation: %s" % nav["errorText"]]
    br.wait_event("Page.loadEventFired", tab)
    br.evaluate(tab, "document.fonts.ready.then(() => '0')")
    t1 = time.monotonic()
    dom = br.evaluate(tab, COLLECT)
    doc = json.load(open(js, encoding="utf-8"))
    errors = check_sections(dom, doc) + check_layout(dom) + console_errors(br, tab, url)
    t2 = time.monotonic()
    errors += check_paint(br, tab, dom)   # after: its own data: images are no fetch of the page
    SPENT["load"] += t1 - t0
    SPENT["dom"] += t2 - t1
    SPENT["paint"] += time.monotonic() - t2
    return errors


# name, what the page's text becomes, the failure expected: each a kind of page the browser draws wrong.
MUTANTS = [
    ("arrow-lost", lambda t: re.sub(r'<g class="m"[^>]*>.*?</g>', "", t, count=1), "arrows, the representative's JSON"),
    ("no-style", lambda t: re.sub(r"<style>.*?</style>", "", t, flags=re.S), "not the style sheet's red"),
    ("hidden-ladder", lambda t: t.replace('<svg class="ladder"', '<svg style="display:none" class="ladder"', 1), "zero size: svg"),
    ("label-outside", lambda t: t.replace('<text x="450"', '<text x="830"', 1), "outside"),
    ("labels-overlap", lambda t: re.sub(r'<text x="760"( y="\d+" class="ltime">)', r'<text x="450"\1', t, count=1), "texts overlap"),
    ("title", lambda t: t.replace("Problem 1: ", "Problem 1: not ", 1), "title"),
    ("unpainted", lambda t: t.replace("</style>", "svg.ladder{opacity:0}</style>", 1), "the ladder is not painted"),
    ("red-lost", lambda t: t.replace("</style>", ".m line{stroke:#333 !important}</style>", 1), "not the style sheet's red"),
    ("fetch", lambda t: t.replace("<main>", '<main><img alt="" src="https://tlsdiag.invalid/x.png">', 1), "console error"),
    ("script", lambda t: t.replace("<main>", "<main><script>document.title='x'</script>", 1), "<script> elements"),
    ("wide", lambda t: t.replace("<main>", '<main><div style="width:1400px">x</div>', 1), "px wide in a"),
]


def self_test(br, tab, html, js, tmp):
    text, failed = open(html, encoding="utf-8").read(), 0
    errors = render(br, tab, html, js)
    for e in errors:
        print("%s: %s" % (html, e))
    failed += bool(errors)
    for name, mutate, want in MUTANTS:
        page = os.path.join(tmp, name + ".html")
        changed = mutate(text)
        if changed == text:
            print("self-test %s: the mutation does not apply to %s" % (name, html))
            failed += 1
            continue
        open(page, "w", encoding="utf-8").write(changed)
        errors = render(br, tab, page, js)
        if not any(want in e for e in errors):
            print("self-test %s: no failure %r; got %s" % (name, want, errors or "none"))
            failed += 1
    print("self-test: %d mutants of %s, %d checks that did not fail as they should" % (len(MUTANTS), html, failed))
    return 1 if failed else 0


def main():
    exe = sys.argv[1]
    if sys.argv[2] == "--self-test":
        pages = [sys.argv[3:5]]
    else:
        pages = [line.split() for line in open(sys.argv[2]) if line.strip()]
    t0, bad = time.monotonic(), 0
    with tempfile.TemporaryDirectory() as tmp:
        br = Browser(exe, tmp)
        try:
            tab = br.tab()
            br.call("Page.bringToFront", None, tab)
            for m in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
                br.call(m, None, tab)
            br.call("Emulation.setDeviceMetricsOverride",
                    {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False}, tab)
            if sys.argv[2] == "--self-test":
                return self_test(br, tab, pages[0][0], pages[0][1], tmp)
            for html, js in pages:
                try:
                    errors = render(br, tab, html, js)
                except TimeoutError:
                    print("%s: the browser stopped answering" % html)
                    raise   # the next pages would wait as long: the run ends here
                except (RuntimeError, ValueError, KeyError) as e:
                    errors = ["%s: %s" % (type(e).__name__, e)]
                for e in errors:
                    print("%s: %s" % (html, e))
                bad += bool(errors)
        except (OSError, EOFError, TimeoutError, RuntimeError) as e:
            print("the browser: %s: %s" % (type(e).__name__, e))
            sys.stdout.write(open(os.path.join(tmp, "chromium.err")).read()[-2000:])
            return 1
        finally:
            br.close()
    print("%d pages rendered, %d with problems, %.1f s (loading %.1f, DOM checks %.1f, screenshots %.1f)"
          % (len(pages), bad, time.monotonic() - t0, SPENT["load"], SPENT["dom"], SPENT["paint"]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
