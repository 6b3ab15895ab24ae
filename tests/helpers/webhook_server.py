#!/usr/bin/env python3
"""webhook_server.py — the HTTP server the automations suites point webhooks at.

Usage: webhook_server.py PORT_FILE LOG_FILE
Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening) and appends one
JSON line per request to LOG_FILE: {"method","path","body"}. Paths:
  /ok        200, body "hello from the test"
  /fail      500, body "it broke"
  /slow      waits 3 s, then 200 (a webhook with a shorter timeoutMs times out)
  /hang      waits 30 s, then 200 (a request still in flight when automationd is killed)
  /redirect  302 to /ok (never followed)
  /big       200 with 5000 bytes of "x" (the kept body is cut)
  /nul       200, body "before" NUL "after" (binary: kept up to the NUL)
"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def record(self, body):
        with open(sys.argv[2], "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path, "body": body}) + "\n")

    def reply(self, status, body, headers=()):
        data = body.encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self.record(body)
        if self.path == "/ok":
            self.reply(200, "hello from the test")
        elif self.path == "/fail":
            self.reply(500, "it broke")
        elif self.path in ("/slow", "/hang"):
            time.sleep(3 if self.path == "/slow" else 30)
            self.reply(200, "late")
        elif self.path == "/redirect":
            self.reply(302, "", [("Location", "/ok")])
        elif self.path == "/big":
            self.reply(200, "x" * 5000)
        elif self.path == "/nul":
            self.reply(200, "before\0after")
        else:
            self.reply(404, "no such path")

    do_GET = handle_any
    do_POST = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))

os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
