#!/usr/bin/env python3
"""pyclient.py -- the python (ssl module) HTTPS client of make-pcaps.sh: one GET, logged as python does.

    pyclient.py HOST PORT NAME CAFILE [--cert F --key F] [--keylog F] [--tls-max 1.2]

Connects to HOST:PORT and runs TLS for NAME (the SNI and the name checked: check_hostname, as
urllib/requests do) with the default context of ssl.create_default_context(cafile=CAFILE): TLS 1.3
first.  --keylog writes the NSS key log (SSLContext.keylog_filename).  Prints the negotiated
version and suite and the HTTP status line, or the exception exactly as the last line of python's
traceback shows it ("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] ..."), and
exits 1 on failure.  Python 3 standard library only.
"""
import argparse
import socket
import ssl
import sys
import traceback


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("name")
    ap.add_argument("cafile")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--keylog")
    ap.add_argument("--tls-max", choices=["1.2", "1.3"])
    a = ap.parse_args()
    ctx = ssl.create_default_context(cafile=a.cafile)
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)
    if a.keylog:
        ctx.keylog_filename = a.keylog
    if a.tls_max == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    try:
        with socket.create_connection((a.host, a.port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname=a.name) as s:
                print(f"handshake: {s.version()} {s.cipher()[0]}")
                s.sendall(f"GET / HTTP/1.0\r\nHost: {a.name}\r\n\r\n".encode())
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                status = data.split(b"\r\n", 1)[0].decode("latin-1")
                print(f"response: {status or '(connection closed, no response)'}")
    except (OSError, ssl.SSLError) as e:
        print("".join(traceback.format_exception_only(type(e), e)).strip())
        sys.exit(1)


if __name__ == "__main__":
    main()
