#!/usr/bin/env python3
"""A stand-in for Slack's incoming webhooks and any webhook receiver, for the alert tests.

Listens on 127.0.0.1 (a free port), prints PORT=<n>, and appends each post to DIR/posts.ndjson
as {"path", "status", "body"}. Paths starting with /slack are checked as Slack checks a
message (Block Kit shape and limits) and answered 400 invalid_blocks when they break them.
Paths starting with /missing are answered 404. DIR/answers, when present, lists the statuses to answer next, one per line ("429 2" adds
Retry-After: 2); each line is used once.
"""
import http.server
import json
import os
import sys

DIR = sys.argv[1]


def slack_problems(body):
    try:
        msg = json.loads(body)
    except ValueError:
        return ["not JSON"]
    problems = []
    if not isinstance(msg.get("text"), str) or not msg["text"]:
        problems.append("no fallback text")
    blocks = msg.get("blocks", [])
    if not isinstance(blocks, list) or not 0 < len(blocks) <= 50:
        problems.append("blocks: 1 to 50")
        return problems
    for b in blocks:
        t = b.get("type")
        if t == "header":
            if b["text"]["type"] != "plain_text" or len(b["text"]["text"]) > 150:
                problems.append("header: plain_text of at most 150")
        elif t == "section":
            if "text" in b and len(b["text"]["text"]) > 3000:
                problems.append("section text over 3000")
            fields = b.get("fields", [])
            if len(fields) > 10 or any(len(f["text"]) > 2000 for f in fields):
                problems.append("section fields: at most 10 of 2000")
            if "text" not in b and not fields:
                problems.append("section without text or fields")
        elif t == "context":
            if not 0 < len(b["elements"]) <= 10:
                problems.append("context: 1 to 10 elements")
        else:
            problems.append("unknown block " + str(t))
    return problems


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        status, retry_after = 200, None
        answers = os.path.join(DIR, "answers")
        if self.path.startswith("/missing"):
            status = 404  # a webhook URL with a typo
        elif os.path.exists(answers):
            with open(answers) as f:
                lines = [l.split() for l in f if l.strip()]
            if lines:
                status = int(lines[0][0])
                retry_after = lines[0][1] if len(lines[0]) > 1 else None
                with open(answers, "w") as f:
                    f.writelines(" ".join(l) + "\n" for l in lines[1:])
        reply = b"ok"
        if status == 200 and self.path.startswith("/slack"):
            problems = slack_problems(body)
            if problems:
                status, reply = 400, ("invalid_blocks: " + "; ".join(problems)).encode()
        with open(os.path.join(DIR, "posts.ndjson"), "a") as f:
            f.write(json.dumps({"path": self.path, "status": status, "body": body}) + "\n")
        self.send_response(status)
        if retry_after:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
print("PORT=%d" % server.server_port, flush=True)
server.serve_forever()
