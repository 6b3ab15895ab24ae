#!/usr/bin/env python3
"""wsclient.py — the WebSocket clients of tests/ws/wsd.bats (Debian's python3-websockets 10.4).

Every wait is bounded by --timeout; every outcome is printed as one JSON line, so bats
checks them with jq. Subcommands:

  listen   one client: prints each received message as it came (one line each), then how
           it ended: {"event":"close","code":C,"reason":R}, {"event":"timeout"} or
           {"event":"rejected","status":S} (an HTTP answer instead of an upgrade).
           --cookie T sends T as the access_token cookie, --origin O an Origin header.
           --send MSG sends MSG after the upgrade (repeatable), or once FILE exists with
           --send-when FILE; --ready FILE is created once connected; --until-type T stops after a message of type T ({"event":"done"});
           --count-type T --count N stops after N messages of type T, checking data.seq
           runs 1..N in order ({"event":"counted","n":N,"inOrder":true|false}).
  fanout   N clients at once; --ready FILE once all are connected; waits for a message of
           type T on every one: {"connected":N,"received":M,"identical":true|false}.
  raw      a hand-made upgrade over a plain socket that never answers pings: with
           --stall-until FILE it reads nothing until FILE exists, then reads to the end;
           prints {"event":"eof","closeCode":C|null,"bytes":B} or {"event":"open"}.
  jwt      prints an HS256 access token signed with --secret-file (claims sub, userId,
           role, iat, exp = now + --exp-in seconds, and sid = --sid when given).
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import socket
import sys
import time

try:
    import websockets
except ImportError:  # the bats file picks an interpreter that has it
    websockets = None


def emit(obj, out=sys.stdout):
    out.write(json.dumps(obj, separators=(",", ":")) + "\n")
    out.flush()


def headers_for(args):
    h = []
    if args.cookie:
        h.append(("Cookie", "theme=dark; access_token=" + args.cookie))
    return h


def url_for(args):
    url = args.url
    if args.token is not None:
        url += ("&" if "?" in url else "?") + "token=" + args.token
    return url


async def connect(args):
    return await websockets.connect(url_for(args), extra_headers=headers_for(args), open_timeout=args.timeout,
                                    close_timeout=2, max_size=1 << 20, ping_interval=None,
                                    origin=getattr(args, "origin", None))


async def listen(args):
    out = open(args.out, "a") if args.out else sys.stdout
    deadline = time.monotonic() + args.timeout
    try:
        ws = await connect(args)
    except websockets.exceptions.InvalidStatusCode as e:
        emit({"event": "rejected", "status": e.status_code}, out)
        return
    except (OSError, asyncio.TimeoutError, websockets.exceptions.InvalidHandshake) as e:
        emit({"event": "error", "error": str(e)}, out)
        return
    if args.ready:
        open(args.ready, "w").close()
    async def send_when_file():
        while not os.path.exists(args.send_when):
            await asyncio.sleep(0.05)
        try:
            for msg in args.send or []:
                await ws.send(msg)
        except websockets.exceptions.ConnectionClosed:
            pass  # the receiving loop reports how it ended
    if args.send_when:
        sender = asyncio.ensure_future(send_when_file())  # the reference keeps the task alive
    else:
        for msg in args.send or []:
            await ws.send(msg)
    counted, in_order = 0, True
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                emit({"event": "timeout", "counted": counted}, out)
                break
            try:
                text = await asyncio.wait_for(ws.recv(), timeout=left)
            except asyncio.TimeoutError:
                continue
            if args.count_type:
                msg = json.loads(text)
                if msg.get("type") == args.count_type:
                    counted += 1
                    if msg.get("data", {}).get("seq") != counted:
                        in_order = False
                    if counted == args.count:
                        emit({"event": "counted", "n": counted, "inOrder": in_order}, out)
                        break
                continue
            out.write(text + "\n")
            out.flush()
            if args.until_type:
                try:
                    if json.loads(text).get("type") == args.until_type:
                        emit({"event": "done"}, out)
                        break
                except ValueError:
                    pass
    except websockets.exceptions.ConnectionClosed:
        emit({"event": "close", "code": ws.close_code, "reason": ws.close_reason, "counted": counted}, out)
        return
    await ws.close()


async def fanout(args):
    clients = []
    try:
        clients = await asyncio.gather(*(connect(args) for _ in range(args.clients)))
    except Exception as e:  # report, do not hang
        emit({"connected": len(clients), "received": 0, "error": str(e)})
        return
    if args.ready:
        open(args.ready, "w").close()

    async def wait_one(ws):
        while True:
            text = await ws.recv()
            if json.loads(text).get("type") == args.type:
                return text

    results = await asyncio.gather(*(asyncio.wait_for(wait_one(ws), args.timeout) for ws in clients),
                                   return_exceptions=True)
    texts = [r for r in results if isinstance(r, str)]
    emit({"connected": len(clients), "received": len(texts), "identical": len(set(texts)) == 1 if texts else False})
    await asyncio.gather(*(ws.close() for ws in clients), return_exceptions=True)


def raw(args):
    """An upgrade by hand: a client that can stop reading (and never answers a ping)."""
    host, port, path = args.host, args.port, args.path
    if args.token:
        path += "?token=" + args.token
    s = socket.create_connection((host, port), timeout=args.timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            emit({"event": "eof-during-upgrade"})
            return
        head += chunk
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        emit({"event": "rejected", "status": head.split(b"\r\n", 1)[0].decode(errors="replace")})
        return
    if args.rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    if args.ready:
        open(args.ready, "w").close()
    deadline = time.monotonic() + args.timeout
    if args.stall_until:
        while not os.path.exists(args.stall_until):
            if time.monotonic() > deadline:
                emit({"event": "stalled-too-long"})
                return
            time.sleep(0.05)
        deadline = time.monotonic() + args.drain_timeout
    total, buf, close_code = 0, b"", None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            emit({"event": "open", "bytes": total})
            return
        s.settimeout(left)
        try:
            chunk = s.recv(1 << 16)
        except socket.timeout:
            continue
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            emit({"event": "eof", "closeCode": close_code, "bytes": total})
            return
        total += len(chunk)
        buf += chunk
        # Walk complete frames (server frames are unmasked) to spot a close frame.
        while len(buf) >= 2:
            opcode, n, off = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    break
                n, off = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n, off = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < off + n:
                break
            if opcode == 8 and n >= 2:
                close_code = int.from_bytes(buf[off:off + 2], "big")
            buf = buf[off + n:]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(args):
    with open(args.secret_file) as f:
        secret = f.readline().strip().encode()
    now = int(time.time())
    header = {"alg": args.alg, "typ": "JWT"}
    claims = {"sub": args.sub, "userId": args.sub, "role": args.role, "iat": now - 1, "exp": now + args.exp_in}
    if args.sid:
        claims["sid"] = args.sid
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    print(signing_input + "." + b64url(sig))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--url", required=True)
        sp.add_argument("--token")
        sp.add_argument("--cookie")
        sp.add_argument("--origin")
        sp.add_argument("--timeout", type=float, default=10)
        sp.add_argument("--ready")

    sp = sub.add_parser("listen")
    common(sp)
    sp.add_argument("--send", action="append")
    sp.add_argument("--send-when")
    sp.add_argument("--out")
    sp.add_argument("--until-type")
    sp.add_argument("--count-type")
    sp.add_argument("--count", type=int, default=0)

    sp = sub.add_parser("fanout")
    common(sp)
    sp.add_argument("--clients", type=int, default=200)
    sp.add_argument("--type", required=True)

    sp = sub.add_parser("raw")
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, required=True)
    sp.add_argument("--path", default="/ws")
    sp.add_argument("--token")
    sp.add_argument("--timeout", type=float, default=10)
    sp.add_argument("--ready")
    sp.add_argument("--stall-until")
    sp.add_argument("--drain-timeout", type=float, default=20)
    sp.add_argument("--rcvbuf", type=int, default=0)

    sp = sub.add_parser("jwt")
    sp.add_argument("--secret-file", required=True)
    sp.add_argument("--sub", required=True)
    sp.add_argument("--role", default="member")
    sp.add_argument("--exp-in", type=int, required=True)
    sp.add_argument("--sid", default="")
    sp.add_argument("--alg", default="HS256")

    args = p.parse_args()
    if args.cmd == "jwt":
        make_jwt(args)
    elif args.cmd == "raw":
        raw(args)
    else:
        if websockets is None:
            sys.exit("wsclient.py: python3-websockets is not installed for " + sys.executable)
        asyncio.run(listen(args) if args.cmd == "listen" else fanout(args))


if __name__ == "__main__":
    main()
