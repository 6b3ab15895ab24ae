#!/usr/bin/env python3
"""pg_stall.py — a TCP door to PostgreSQL that can stop answering, for the tests that show
a daemon's event loop never waits for the database (tests/ws/wsd.bats, tests/mqtt/mqttd.bats).

It listens on a free loopback port (written to --port-file once listening) and forwards
every connection to PostgreSQL's unix socket (--unix, the .s.PGSQL.<port> file), until
SIGUSR1: then it closes every forwarded connection and from now on accepts connections
and holds them without a byte — a server that is there and never answers. SIGUSR2 closes
the held connections and forwards again. Each accepted connection is one line in --events:
"forwarded" or "held". It exits by itself after --lifetime seconds (or on SIGTERM).
"""
import argparse
import os
import selectors
import signal
import socket
import sys
import time

stall_wanted = False
mode_changed = False


def on_usr1(_sig, _frame):
    global stall_wanted, mode_changed
    stall_wanted, mode_changed = True, True


def on_usr2(_sig, _frame):
    global stall_wanted, mode_changed
    stall_wanted, mode_changed = False, True


def main():
    global mode_changed
    p = argparse.ArgumentParser()
    p.add_argument("--unix", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--events", required=True)
    p.add_argument("--lifetime", type=float, default=120)
    args = p.parse_args()
    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGUSR2, on_usr2)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    sel = selectors.DefaultSelector()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.setblocking(False)
    sel.register(srv, selectors.EVENT_READ, None)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, args.port_file)

    peers = {}  # socket -> its other end (forwarded pairs)
    held = []
    events = open(args.events, "a")
    deadline = time.monotonic() + args.lifetime

    def close(s):
        other = peers.pop(s, None)
        for x in (s, other):
            if x is None:
                continue
            peers.pop(x, None)
            try:
                sel.unregister(x)
            except (KeyError, ValueError):
                pass
            x.close()

    while time.monotonic() < deadline:
        if mode_changed:
            mode_changed = False
            for s in list(peers):
                close(s)
            for s in held:
                s.close()
            held.clear()
        for key, _ in sel.select(timeout=0.1):
            s = key.fileobj
            if s is srv:
                try:
                    client, _ = srv.accept()
                except BlockingIOError:
                    continue
                client.setblocking(True)
                if stall_wanted:
                    held.append(client)
                    events.write("held\n")
                else:
                    upstream = socket.socket(socket.AF_UNIX)
                    try:
                        upstream.connect(args.unix)
                    except OSError:
                        client.close()
                        upstream.close()
                        continue
                    peers[client], peers[upstream] = upstream, client
                    sel.register(client, selectors.EVENT_READ, None)
                    sel.register(upstream, selectors.EVENT_READ, None)
                    events.write("forwarded\n")
                events.flush()
                continue
            if s not in peers:
                continue
            try:
                data = s.recv(65536)
                if data:
                    peers[s].sendall(data)
                    continue
            except OSError:
                pass
            close(s)


if __name__ == "__main__":
    main()
