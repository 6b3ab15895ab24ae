#!/usr/bin/env python3
"""fcgi_get.py SOCKET PATH [COUNT] — FastCGI GET requests straight to a worker's socket.

The workers suite runs a private copy of a module on its own socket, beside the dev
stack, and needs to reach it without nginx. This speaks just enough FastCGI (the
responder role, one request per connection, as nginx does) to send COUNT requests at
once (default 1) and print the status of each answer, one per line, in the order they
were sent ("000" when the connection failed or no answer came in 10 seconds).
"""
import socket
import struct
import sys
import threading

FCGI_VERSION = 1
BEGIN_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6
RESPONDER = 1


def record(kind, body, request_id=1):
    header = struct.pack("!BBHHBB", FCGI_VERSION, kind, request_id, len(body), 0, 0)
    return header + body


def name_value(name, value):
    name, value = name.encode(), value.encode()
    return bytes([len(name)]) + bytes([len(value)]) + name + value


def request(sock_path, path):
    params = b"".join(
        name_value(k, v)
        for k, v in (
            ("REQUEST_METHOD", "GET"),
            ("DOCUMENT_URI", path),
            ("REQUEST_URI", path),
            ("QUERY_STRING", ""),
            ("REQUEST_ID", "fcgiget"),
        )
    )
    message = (
        record(BEGIN_REQUEST, struct.pack("!HB5x", RESPONDER, 0))
        + record(PARAMS, params)
        + record(PARAMS, b"")
        + record(STDIN, b"")
    )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(sock_path)
        s.sendall(message)
        out = b""
        while True:
            header = s.recv(8, socket.MSG_WAITALL)
            if len(header) < 8:
                break
            _, kind, _, length, padding, _ = struct.unpack("!BBHHBB", header)
            body = s.recv(length + padding, socket.MSG_WAITALL)[:length] if length + padding else b""
            if kind == STDOUT:
                out += body
            elif kind == END_REQUEST:
                break
    for line in out.split(b"\r\n"):
        if line.startswith(b"Status: "):
            return line[8:11].decode()
    return "000"


def main():
    sock_path, path = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    results = ["000"] * count

    def one(i):
        try:
            results[i] = request(sock_path, path)
        except OSError:
            results[i] = "000"

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("\n".join(results))


if __name__ == "__main__":
    main()
