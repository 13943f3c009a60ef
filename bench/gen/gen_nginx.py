#!/usr/bin/env python3
"""Writes deterministic nginx access log lines (combined format) for benchmarks.

    bench/gen/gen_nginx.py --size 100MiB --seed 1 > /tmp/access.log
"""
import argparse
import random

from gen_common import parse_size, write_until


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="10MiB")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--public-clients", type=int, default=0,
                    help="clients drawn from this many public addresses (what geoip looks up) instead of 10.x")
    args = ap.parse_args()
    target = parse_size(args.size)
    rng = random.Random(args.seed)
    paths = ["/", "/api/orders", "/api/orders/%d", "/api/users/%d/profile", "/static/app.%x.js", "/login", "/search?q=%s&page=%d"]
    agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
              "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
              "curl/8.4.0", "Go-http-client/1.1", "kube-probe/1.28"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    sec = [0]
    # Public clients: a few networks the test GeoIP databases know, the rest anywhere.
    clients = []
    for i in range(args.public_clients):
        kind = rng.random()
        if kind < 0.3:
            clients.append("85.181.%d.%d" % (rng.randint(0, 255), rng.randint(1, 254)))
        elif kind < 0.5:
            clients.append("81.2.69.%d" % rng.randint(1, 254))
        else:
            clients.append("%d.%d.%d.%d" % (rng.choice([23, 31, 46, 62, 77, 89, 104, 151, 185, 212]), rng.randint(0, 255),
                                            rng.randint(0, 255), rng.randint(1, 254)))

    def client():
        if clients:
            return rng.choice(clients)
        return "10.%d.%d.%d" % (rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))

    def line():
        sec[0] += rng.randint(0, 1)
        t = sec[0]
        p = rng.choice(paths)
        if "%s" in p:
            p = p % (rng.choice(["shoes", "red+dress", "gift"]), rng.randint(1, 9))
        elif "%x" in p:
            p = p % rng.getrandbits(32)
        elif "%d" in p:
            p = p % rng.randint(1, 10**6)
        return '%s - %s [%02d/%s/2026:%02d:%02d:%02d +0000] "%s %s HTTP/1.1" %d %d "%s" "%s"\n' % (
            client(), rng.choice(["-", "-", "alice"]),
            26, months[10], t // 3600 % 24, t // 60 % 60, t % 60, rng.choice(["GET", "GET", "GET", "POST"]), p,
            rng.choice([200, 200, 200, 304, 404, 500]), rng.randint(0, 50000),
            rng.choice(["-", "https://example.com/", "https://www.google.com/"]), rng.choice(agents))

    write_until(target, line)


if __name__ == "__main__":
    main()
