#!/usr/bin/env python3
"""An HTTP proxy on 127.0.0.1 in front of an Elasticsearch/OpenSearch node that misbehaves the
way an overloaded cluster does, for logship's integration tests.

  fault_proxy.py UPSTREAM_URL PORT_FILE STATS_FILE --reject N --partial N --auth HEADER --tls CERT KEY
                 --retry-after SECONDS --control FILE

The first N `_bulk` requests are refused whole with 429 (--reject). The next N (--partial) are
forwarded with only the first half of their documents, and answered with the node's items for
those plus a 429 item for each document held back, as a node with a full write queue does.
With --auth, a request whose Authorization header is not exactly HEADER is answered 401, as a
secured cluster does. With --tls it speaks HTTPS with that certificate. Everything else is
forwarded as is. With --retry-after, 429 answers carry that Retry-After. With --control, while
FILE exists and holds an HTTP status, every `_bulk` request is answered with that status (the
test switches failures on and off). The port it listens on is written to PORT_FILE; counts of
what it did, and when each bulk request came (seconds, monotonic), go to STATS_FILE as JSON
after every request.
"""
import argparse
import gzip
import http.server
import json
import os
import socketserver
import time
import threading
import urllib.error
import urllib.request

args = None
lock = threading.Lock()
stats = {"unauthorized": 0, "bulk_requests": 0, "rejected_requests": 0, "partial_requests": 0, "held_back_documents": 0,
         "controlled_requests": 0, "bulk_times": []}


def save_stats():
    with open(args.stats_file + ".tmp", "w") as f:
        json.dump(stats, f)
    import os
    os.replace(args.stats_file + ".tmp", args.stats_file)


def forward(method, path, body, headers):
    req = urllib.request.Request(args.upstream + path, data=body, method=method)
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read(), resp.headers.get("Content-Type", "application/json")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("Content-Type", "application/json")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status == 429 and args.retry_after:
            self.send_header("Retry-After", str(args.retry_after))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if args.auth and self.headers.get("Authorization") != args.auth:
            with lock:
                stats["unauthorized"] += 1
                save_stats()
            return self.reply(401, json.dumps({"error": {"type": "security_exception", "reason": "missing or wrong credentials"},
                                               "status": 401}).encode())
        if body and self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        headers = {"Content-Type": self.headers.get("Content-Type", "application/json")}
        if "/_bulk" not in self.path or self.command != "POST":
            status, out, ctype = forward(self.command, self.path, body, headers)
            return self.reply(status, out, ctype)
        with lock:
            stats["bulk_requests"] += 1
            stats["bulk_times"].append(time.monotonic())
            n = stats["bulk_requests"]
        controlled = None
        if args.control and os.path.exists(args.control):
            try:
                controlled = int(open(args.control).read().strip() or "0")
            except ValueError:
                controlled = None
        if controlled:
            with lock:
                stats["controlled_requests"] += 1
                save_stats()
            return self.reply(controlled, json.dumps({"error": {"type": "fault_proxy", "reason": "answered %d on purpose" % controlled},
                                                      "status": controlled}).encode())
        if n <= args.reject:
            with lock:
                stats["rejected_requests"] += 1
                save_stats()
            return self.reply(429, json.dumps({"error": {"type": "es_rejected_execution_exception",
                                                         "reason": "rejected by fault_proxy"}, "status": 429}).encode())
        if n <= args.reject + args.partial:
            lines = body.decode().split("\n")
            pairs = [(lines[i], lines[i + 1]) for i in range(0, len(lines) - 1, 2)]
            keep = pairs[: len(pairs) // 2]
            held = len(pairs) - len(keep)
            sent = "".join(a + "\n" + d + "\n" for a, d in keep).encode()
            # Ask for full items: the proxy has to add to them.
            path = self.path.split("?")[0]
            status, out, _ = forward("POST", path, sent, headers) if keep else (200, b'{"errors":false,"items":[]}', "")
            answer = json.loads(out)
            items = answer.get("items", [])
            for _ in range(held):
                items.append({"create": {"status": 429, "error": {"type": "es_rejected_execution_exception",
                                                                   "reason": "held back by fault_proxy"}}})
            answer["items"] = items
            answer["errors"] = True
            with lock:
                stats["partial_requests"] += 1
                stats["held_back_documents"] += held
                save_stats()
            return self.reply(200, json.dumps(answer).encode())
        status, out, ctype = forward(self.command, self.path, body, headers)
        with lock:
            save_stats()
        return self.reply(status, out, ctype)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("upstream")
    p.add_argument("port_file")
    p.add_argument("stats_file")
    p.add_argument("--reject", type=int, default=0)
    p.add_argument("--partial", type=int, default=0)
    p.add_argument("--auth", default="")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--retry-after", type=int, default=0)
    p.add_argument("--control", default="")
    args = p.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    if args.tls:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    save_stats()
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
