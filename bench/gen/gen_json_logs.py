#!/usr/bin/env python3
"""Writes deterministic JSON application log lines (about 400 bytes each) for benchmarks.

    bench/gen/gen_json_logs.py --size 1GiB --seed 1 > /tmp/app.json.log

Nested objects, request ids, latencies, a few levels, and now and then a long stack trace in
`error.stack_trace`, as real app logs have. Same seed, same bytes.
"""
import argparse
import json
import random

from gen_common import parse_size, write_until


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="100MiB", help="bytes to write (e.g. 1GiB)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    target = parse_size(args.size)
    endpoints = ["/api/orders", "/api/orders/{id}", "/api/users", "/api/invoices", "/login", "/api/search", "/health"]
    services = ["checkout", "accounts", "billing", "search", "gateway"]
    frames = "".join("\n\tat com.example.svc.Handler%d.handle(Handler%d.java:%d)" % (i, i, 10 + i) for i in range(40))
    second = [0]

    def line():
        second[0] += rng.randint(0, 2)
        t = second[0]
        level = rng.choices(["info", "debug", "warn", "error"], [70, 15, 10, 5])[0]
        ev = {
            "ts": "2026-11-26T%02d:%02d:%02d.%03dZ" % (t // 3600 % 24, t // 60 % 60, t % 60, rng.randint(0, 999)),
            "level": level,
            "service": {"name": rng.choice(services), "version": "1.%d.%d" % (rng.randint(0, 9), rng.randint(0, 30))},
            "message": "request finished" if level != "error" else "upstream call failed",
            "http": {"request": {"method": rng.choice(["GET", "POST", "PUT"]), "id": "%032x" % rng.getrandbits(128)},
                     "response": {"status_code": rng.choice([200, 200, 200, 201, 204, 404, 500])}},
            "url": {"path": rng.choice(endpoints)},
            "user": {"id": rng.randint(1, 500000)},
            "event": {"duration": rng.randint(100000, 900000000)},
            "trace": {"id": "%016x" % rng.getrandbits(64)},
        }
        if level == "error" and rng.random() < 0.2:
            ev["error"] = {"type": "java.lang.IllegalStateException", "stack_trace": "java.lang.IllegalStateException: boom" + frames}
        return json.dumps(ev, separators=(",", ":")) + "\n"

    write_until(target, line)


if __name__ == "__main__":
    main()
