#!/usr/bin/env python3
"""Writes a deterministic MySQL slow query log for benchmarks.

    bench/gen/gen_slowlog.py --flavor mysql8 --size 100MiB --seed 1 > /tmp/slow.log

Flavours: mysql8 (ISO # Time, Id:, log_slow_extra counters), percona (5.7-style with the
Percona attribute lines and InnoDB statistics), mariadb (old # Time written once a second,
Thread_id/Schema/QC_hit lines, explain rows now and then). A few hundred distinct query
shapes with random literals, a long tail of rare ones, multi-line statements, and a server
header in the middle as after FLUSH LOGS. Same seed, same bytes.
"""
import argparse
import random
import sys
import time as _time

from gen_common import parse_size

TABLES = ["orders", "order_items", "users", "invoices", "payments", "products", "carts", "sessions", "audit_log", "shipments",
          "coupons", "reviews"]
COLUMNS = ["id", "user_id", "status", "created_at", "total", "sku", "email", "country", "updated_at", "price"]


def shapes(rng):
    out = []
    for t in TABLES:
        for c in COLUMNS[:6]:
            out.append(lambda r, t=t, c=c: f"SELECT * FROM {t} WHERE {c} = {r.randint(1, 10**6)}")
            out.append(lambda r, t=t, c=c: f"SELECT id, {c} FROM {t} WHERE {c} IN ({', '.join(str(r.randint(1, 999)) for _ in range(r.randint(1, 8)))}) ORDER BY id ASC LIMIT {r.randint(1, 100)}")
        out.append(lambda r, t=t: f"UPDATE {t} SET status = '{r.choice(['paid', 'sent', 'void'])}', updated_at = NOW() WHERE id = {r.randint(1, 10**6)}")
        out.append(lambda r, t=t: f"INSERT INTO {t} (user_id, status, total) VALUES " + ", ".join(f"({r.randint(1, 10**5)}, 'new', {r.randint(1, 9999)}.{r.randint(0, 99):02d})" for _ in range(r.randint(1, 5))))
        out.append(lambda r, t=t: f"DELETE FROM {t} WHERE created_at < '2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}'")
        out.append(lambda r, t=t: f"SELECT COUNT(*) FROM {t}\n WHERE status = 'open'\n   AND created_at > NOW() - INTERVAL {r.randint(1, 30)} DAY")
        out.append(lambda r, t=t: f"SELECT u.email, SUM(o.total) FROM users u JOIN {t} o ON o.user_id = u.id WHERE u.country = '{r.choice(['DE', 'FR', 'US', 'JP'])}' GROUP BY u.email")
    rare = [lambda r, n=n: f"SELECT * FROM report_{n} WHERE day = '2026-11-{r.randint(1, 28):02d}'" for n in ["daily", "weekly", "monthly", "fraud", "churn"]]
    return out, rare


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flavor", choices=["mysql8", "percona", "mariadb"], default="mysql8")
    ap.add_argument("--size", default="10MiB")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    target = parse_size(args.size)
    rng = random.Random(args.seed)
    common, rare = shapes(rng)
    weights = [1.0 / (i + 1) for i in range(len(common))]
    out = sys.stdout
    written = 0
    ts = 1795651200
    header = {
        "mysql8": "/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:\nTcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock\nTime                 Id Command    Argument\n",
        "percona": "/usr/sbin/mysqld, Version: 5.7.44-48-log (Percona Server (GPL), Release 48, Revision 497f936a373). started with:\nTcp port: 3306  Unix socket: /var/lib/mysql/mysql.sock\nTime                 Id Command    Argument\n",
        "mariadb": "/usr/sbin/mariadbd, Version: 10.11.19-MariaDB-0+deb12u1-log (Debian 12). started with:\nTcp port: 3306  Unix socket: /run/mysqld/mysqld.sock\nTime\t\t    Id Command\tArgument\n",
    }[args.flavor]
    out.write(header)
    last_second = None
    buf = []
    n = 0
    while written < target:
        n += 1
        ts += rng.choice([0, 0, 0, 1])
        q = (rng.choice(rare) if rng.random() < 0.01 else rng.choices(common, weights)[0])(rng)
        qt = rng.lognormvariate(-6, 2)
        lock = qt * rng.random() * 0.1
        sent = rng.randint(0, 500)
        examined = sent + rng.randint(0, 100000)
        thread = rng.randint(10, 5000)
        user = rng.choice(["app", "app", "report", "admin"])
        schema = rng.choice(["shop", "shop", "billing"])
        lines = []
        tm = _time.gmtime(ts)
        if args.flavor == "mysql8":
            lines.append(_time.strftime("# Time: %Y-%m-%dT%H:%M:%S", tm) + f".{rng.randint(0, 999999):06d}Z")
            lines.append(f"# User@Host: {user}[{user}] @ web-{rng.randint(1, 9)} [10.0.0.{rng.randint(2, 250)}]  Id: {thread:5d}")
            lines.append(f"# Query_time: {qt:.6f}  Lock_time: {lock:.6f} Rows_sent: {sent}  Rows_examined: {examined} Thread_id: {thread} Errno: 0 Killed: 0 Bytes_received: {len(q)} Bytes_sent: {sent * 40} Read_first: 0 Read_last: 0 Read_key: {rng.randint(0, 9)} Read_next: 0 Read_prev: 0 Read_rnd: 0 Read_rnd_next: {examined} Sort_merge_passes: 0 Sort_range_count: 0 Sort_rows: {sent} Sort_scan_count: {rng.randint(0, 1)} Created_tmp_disk_tables: 0 Created_tmp_tables: {rng.randint(0, 1)} Start: " + _time.strftime("%Y-%m-%dT%H:%M:%S", tm) + ".000000Z End: " + _time.strftime("%Y-%m-%dT%H:%M:%S", tm) + f".{rng.randint(0, 999999):06d}Z")
        elif args.flavor == "percona":
            lines.append(_time.strftime("# Time: %Y-%m-%dT%H:%M:%S", tm) + f".{rng.randint(0, 999999):06d}Z")
            lines.append(f"# User@Host: {user}[{user}] @ web-{rng.randint(1, 9)} [10.0.0.{rng.randint(2, 250)}]  Id: {thread}")
            lines.append(f"# Schema: {schema}  Last_errno: 0  Killed: 0")
            lines.append(f"# Query_time: {qt:.6f}  Lock_time: {lock:.6f}  Rows_sent: {sent}  Rows_examined: {examined}  Rows_affected: 0")
            lines.append(f"# Bytes_sent: {sent * 40}  Tmp_tables: 0  Tmp_disk_tables: 0  Tmp_table_sizes: 0")
            lines.append(f"# InnoDB_trx_id: {rng.getrandbits(32):X}")
            lines.append(f"# QC_Hit: No  Full_scan: {rng.choice(['Yes', 'No'])}  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No")
            lines.append("# Filesort: No  Filesort_on_disk: No  Merge_passes: 0")
            lines.append(f"#   InnoDB_IO_r_ops: 0  InnoDB_IO_r_bytes: 0  InnoDB_IO_r_wait: 0.000000")
            lines.append(f"#   InnoDB_rec_lock_wait: 0.000000  InnoDB_queue_wait: 0.000000")
            lines.append(f"#   InnoDB_pages_distinct: {rng.randint(1, 99)}")
        else:
            if ts != last_second:
                lines.append(_time.strftime("# Time: %y%m%d ", tm) + f"{tm.tm_hour:2d}" + _time.strftime(":%M:%S", tm))
                last_second = ts
            lines.append(f"# User@Host: {user}[{user}] @ web-{rng.randint(1, 9)} [10.0.0.{rng.randint(2, 250)}]")
            lines.append(f"# Thread_id: {thread}  Schema: {schema}  QC_hit: No")
            lines.append(f"# Query_time: {qt:.6f}  Lock_time: {lock:.6f}  Rows_sent: {sent}  Rows_examined: {examined}")
            lines.append(f"# Rows_affected: 0  Bytes_sent: {sent * 40}")
            if rng.random() < 0.2:
                lines.append("#")
                lines.append("# explain: id\tselect_type\ttable\ttype\tpossible_keys\tkey\tkey_len\tref\trows\tr_rows\tfiltered\tr_filtered\tExtra")
                lines.append(f"# explain: 1\tSIMPLE\torders\tref\tstatus\tstatus\t4\tconst\t{examined}\t{examined}.00\t100.00\t100.00\tUsing where")
                lines.append("#")
        if rng.random() < 0.05:
            lines.append(f"use {schema};")
        lines.append(f"SET timestamp={ts};")
        lines.append(q + ";")
        text = "\n".join(lines) + "\n"
        if n % 50000 == 0:
            text += header
        buf.append(text)
        written += len(text)
        if len(buf) >= 2000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


if __name__ == "__main__":
    main()
