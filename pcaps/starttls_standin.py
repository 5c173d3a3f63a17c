#!/usr/bin/env python3
"""starttls_standin.py - a small SMTP stand-in server for pcaps/starttls-scenarios.sh.

Used for the first SMTP captures (starttls-smtp, -smtp-no-tls,
-smtp-refused; -smtp-postfix and -smtp-refused-postfix come from a real
Postfix): it speaks SMTP's clear-text part as RFC 3207 says (in refusing
mode it answers STARTTLS with 454), then hands the socket to Python's ssl
module (OpenSSL) for a real TLS handshake. Every other protocol comes from a
real server: PostgreSQL, OpenLDAP, Dovecot (IMAP, POP3), vsftpd (FTP),
MariaDB (MySQL), Prosody (XMPP) (see the script). One connection, then exit.

    starttls_standin.py MODE PORT CERT KEY
MODE: smtp smtp-refuse
"""
import socket
import ssl
import sys


def lines(conn):
    buf = b""
    while True:
        while b"\n" not in buf:
            d = conn.recv(4096)
            if not d:
                return
            buf += d
        line, buf = buf.split(b"\n", 1)
        yield line.rstrip(b"\r")


def tls(conn, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    s = ctx.wrap_socket(conn, server_side=True)
    try:
        while s.recv(4096):
            pass
    except (ssl.SSLError, OSError):
        pass
    s.close()


def smtp(conn, cert, key, refuse):
    conn.sendall(b"220 mail.example.test ESMTP stand-in\r\n")
    for line in lines(conn):
        cmd = line.upper()
        if cmd.startswith((b"EHLO", b"HELO", b"LHLO")):
            conn.sendall(b"250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n")
        elif cmd == b"STARTTLS":
            if refuse:
                conn.sendall(b"454 4.7.0 TLS not available due to local problem\r\n")
                continue
            conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
            return tls(conn, cert, key)
        elif cmd == b"QUIT":
            conn.sendall(b"221 2.0.0 Bye\r\n")
            return
        else:
            conn.sendall(b"502 5.5.2 Error: command not recognized\r\n")


def main():
    mode, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if mode not in ("smtp", "smtp-refuse"):
        sys.exit("starttls_standin.py: MODE is smtp or smtp-refuse")
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    print("listening", flush=True)
    conn, _ = ls.accept()
    with conn:
        smtp(conn, cert, key, mode == "smtp-refuse")


if __name__ == "__main__":
    main()
