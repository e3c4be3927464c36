#!/usr/bin/env python3
"""A raw FastCGI client: sends one responder request straight to the pool,
bypassing nginx, with whatever parameters the caller forges.

    fcgi_client.py [--source ADDR] HOST:PORT|/unix/socket NAME=VALUE...

Prints the status of the response ("200", from the Status header; no header
means 200) and exits 0; prints "refused" and exits 3 when the pool closes the
connection without answering (libfcgi does so for a peer that
FCGI_WEB_SERVER_ADDRS does not list) or refuses it; exits 2 on bad usage.
"""
import socket
import struct
import sys

FCGI_VERSION = 1
BEGIN_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6
RESPONDER = 1


def record(rtype, content, request_id=1):
    header = struct.pack("!BBHHBx", FCGI_VERSION, rtype, request_id, len(content), 0)
    return header + content


def length(n):
    return struct.pack("!B", n) if n < 128 else struct.pack("!I", n | 0x80000000)


def params(pairs):
    body = b""
    for name, value in pairs:
        name, value = name.encode(), value.encode()
        body += length(len(name)) + length(len(value)) + name + value
    return body


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main(argv):
    source = None
    if len(argv) >= 2 and argv[0] == "--source":
        source, argv = argv[1], argv[2:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    where, pairs = argv[0], [a.split("=", 1) for a in argv[1:]]
    if where.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = where
    else:
        host, port = where.rsplit(":", 1)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if source:
            sock.bind((source, 0))
        target = (host, int(port))
    sock.settimeout(10)
    try:
        sock.connect(target)
        sock.sendall(
            record(BEGIN_REQUEST, struct.pack("!HB5x", RESPONDER, 0))
            + record(PARAMS, params(pairs))
            + record(PARAMS, b"")
            + record(STDIN, b"")
        )
        out = b""
        while True:
            header = read_exact(sock, 8)
            if header is None:
                print("refused")
                return 3
            _, rtype, _, clen, plen = struct.unpack("!BBHHBx", header)
            content = read_exact(sock, clen + plen)
            if content is None:
                print("refused")
                return 3
            if rtype == STDOUT:
                out += content[:clen]
            elif rtype == END_REQUEST:
                break
    except (ConnectionError, PermissionError, socket.timeout) as e:
        print("refused", file=sys.stdout)
        print(e, file=sys.stderr)
        return 3
    finally:
        sock.close()
    status = "200"
    for line in out.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"status:"):
            status = line.split(b":", 1)[1].strip().split(b" ")[0].decode()
    print(status)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
