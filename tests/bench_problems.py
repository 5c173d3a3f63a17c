#!/usr/bin/env python3
"""bench_problems.py MANIFEST SCENARIOS MODE:REPORT.json ... - the problems of a bench capture are its
manifest's failure classes (tests/bench_problems.sh makes the capture and the reports; issue 14).

For each mode (roots: the bench's roots as --ca-file; system: no trust store given) every failed
template class of scenarios.txt must be exactly one error problem, recognised by its finding ids and
the fact its title names, with exactly the manifest's connection count; every error problem must be
one class; the error problems hold the manifest's failed_handshakes, as does the summary. The
warnings of the completed templates are checked as well: with no trust store, one chain-untrusted
problem per untrusted root (leaves with and without the root sent, with and without a client
certificate are one problem: same ids, same server name, same root), and no-sni's apart."""
import json
import re
import sys

# class -> (finding ids, what the title must name); per mode where the trust store changes the verdict
ERRORS = {
    "t12_srv_unknownca": (["chain-untrusted", "alert"], "chain ends at CN=Rogue Root CA,O=Rogue Inc,C=ZZ"),
    "t12_mtls_req_nocert": (["client-cert-empty", "alert"],
                            "asks for a client certificate from CN=Bench Client Root CA,O=Bench PKI,C=XX"),
    "t12_srv_expired": (["cert-expired", "alert"], "certificate that has expired (CN=expired.bench.test,"),
    "t12_srv_notyetvalid": (["cert-not-yet-valid", "alert"], "certificate that is not yet valid (CN=future.bench.test,"),
    "t12_mtls_rogue_client": (["client-cert-issuer-not-requested", "alert"],
                              "rejects client certificates issued by CN=Rogue Root CA,O=Rogue Inc,C=ZZ"),
    "t12_no_shared_cipher": (["version-or-cipher-mismatch", "alert"], "fatal handshake_failure (40) from the server"),
    "t12_proto_version": (["version-or-cipher-mismatch", "alert"], "fatal protocol_version (70) from the server"),
    "t13_mtls_nocert": (["tls13-encrypted-failure", "client-cert-empty-inferred"],
                        "TLS 1.3 clients send an empty certificate and the handshake fails"),
    "t13_srv_unknownca": (["alert"], "fatal unknown_ca (48) from the client"),
    # the client checked a name other than its SNI (-verify_hostname www.other.example), which the
    # capture cannot show: the SNI the generator writes matches the certificate, so the alert says it
    "t12_hostname_mismatch": (["alert"], "fatal bad_certificate (42) from the client"),
}
ERRORS_BY_MODE = {
    # without a store the chain is untrusted too, and bad_certificate points at trust
    "system": {"t12_hostname_mismatch": (["chain-untrusted", "alert"],
                                         "chain ends at CN=Bench RSA Root CA,O=Bench PKI,C=XX")},
}
# completed templates whose server chain is seen (TLS 1.2, not resumed), by root
RSA = ["t12_ecdhe_rsa_c2", "t12_ecdhe_rsa_c3", "t12_rsakx_c2", "t12_rsakx_cbc_c3", "t12_dhe_rsa_c2", "t12_chacha_c2",
       "t12_mtls_ok_rsa", "t12_mtls_opt_emptycert"]
ECC = ["t12_ecdhe_ecdsa_c2", "t12_ecdhe_ecdsa_c3", "t12_mtls_ok_ec"]
WARNINGS = {
    "roots": [(["no-sni"], "the ClientHello carries no server_name", ["t12_nosni_c2"])],
    "system": [
        (["chain-untrusted"], "chain ends at CN=Bench RSA Root CA,O=Bench PKI,C=XX", RSA),
        (["chain-untrusted"], "chain ends at CN=Bench ECC Root CA,O=Bench PKI,C=XX", ECC),
        (["chain-untrusted", "no-sni"], "chain ends at CN=Bench RSA Root CA,O=Bench PKI,C=XX", ["t12_nosni_c2"]),
    ],
}


def check(mode, report, manifest, failed_classes):
    fails = []
    per = manifest["per_template"]
    probs = report["problems"]
    table = dict(ERRORS)
    table.update(ERRORS_BY_MODE.get(mode, {}))
    errors = [p for p in probs if p["severity"] == "error"]
    claimed = {}
    for cls in failed_classes:
        ids, words = table[cls]
        hits = [p for p in errors if p["finding_ids"] == ids and words in p["title"]]
        if len(hits) != 1:
            fails.append(f"{mode}: {cls} ({per.get(cls, 0)} connections) is {len(hits)} error problems, not 1 "
                         f"(finding ids {ids}, title naming \"{words}\")")
            continue
        p = hits[0]
        claimed.setdefault(p["id"], []).append(cls)
        if p["connections"] != per[cls]:
            fails.append(f"{mode}: {cls}: {p['connections']} connections in problem {p['id']} "
                         f"\"{p['title']}\", the manifest has {per[cls]}")
    for p in errors:
        if len(claimed.get(p["id"], [])) != 1:
            fails.append(f"{mode}: error problem {p['id']} \"{p['title']}\" ({p['finding_ids']}) is "
                         f"{len(claimed.get(p['id'], []))} failure classes: {claimed.get(p['id'], [])}")
    in_errors = sum(p["connections"] for p in errors)
    want = manifest["failed_handshakes"]
    if in_errors != want or report["summary"]["failed"] != want or report["summary"]["with_error"] != want:
        fails.append(f"{mode}: {in_errors} connections in error problems, summary failed "
                     f"{report['summary']['failed']}, with_error {report['summary']['with_error']}; "
                     f"the manifest's failed_handshakes {want}")
    warnings = [p for p in probs if p["severity"] == "warning"]
    expected = WARNINGS[mode]
    if len(warnings) != len(expected):
        fails.append(f"{mode}: {len(warnings)} warning problems, {len(expected)} expected: "
                     + "; ".join(p["title"] for p in warnings))
    for ids, words, classes in expected:
        hits = [p for p in warnings if p["finding_ids"] == ids and words in p["title"]]
        n = sum(per[c] for c in classes)
        if len(hits) != 1 or hits[0]["connections"] != n:
            fails.append(f"{mode}: warning {ids} naming \"{words}\": "
                         f"{[(p['id'], p['connections']) for p in hits]}, expected one of {n} connections ({classes})")
    titles = {}
    for p in probs:   # the same words but for the counts read the same too
        titles.setdefault(re.sub(r"; [0-9]+ connections? from [0-9]+\+? clients?( sent none)?$", "", p["title"]),
                          []).append(p["id"])
    for t, ids in titles.items():
        if len(ids) > 1:
            fails.append(f"{mode}: problems {ids} read the same: \"{t}\"")
    return fails, len(errors), len(warnings)


def main():
    manifest = json.load(open(sys.argv[1]))
    failed_classes = sorted(l.split("|")[1] for l in open(sys.argv[2]) if l.count("|") >= 3 and l.split("|")[2] == "fail")
    fails = []
    unknown = [c for c in failed_classes if c not in ERRORS]
    if unknown:
        fails.append(f"failed template classes this test does not know: {unknown} (add them to ERRORS)")
        failed_classes = [c for c in failed_classes if c in ERRORS]
    missing = [c for c in failed_classes if not manifest["per_template"].get(c)]
    if missing:
        fails.append(f"the capture holds no connection of {missing}: make it larger")
    for arg in sys.argv[3:]:
        mode, path = arg.split(":", 1)
        try:
            report = json.load(open(path))
        except (OSError, ValueError) as e:
            fails.append(f"{mode}: no JSON report ({e})")
            continue
        f, ne, nw = check(mode, report, manifest, failed_classes)
        fails += f
        if not f:
            print(f"ok {mode}: {ne} error problems = {len(failed_classes)} failure classes, "
                  f"{manifest['failed_handshakes']} failed handshakes; {nw} warning problems")
    for f in fails:
        print("FAIL", f)
    print(f"bench_problems: {manifest['connections']} connections, {len(failed_classes)} failure classes, "
          f"{'FAIL' if fails else 'ok'}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
