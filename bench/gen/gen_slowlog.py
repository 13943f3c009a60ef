#!/usr/bin/env python3
"""Writes a deterministic MySQL slow query log for benchmarks.

    bench/gen/gen_slowlog.py --flavor mysql8 --size 100MiB --seed 1 > /tmp/slow.log

Flavours: mysql8 (ISO # Time, Id:, log_slow_extra counters), percona (5.7-style with the
Percona attribute lines and InnoDB statistics), mariadb (old # Time written once a second,
Thread_id/Schema/QC_hit lines, explain rows now and then). A few hundred distinct query
shapes with random literals, a long tail of rare ones, multi-line statements, and a server
header in the middle as after FLUSH LOGS. Same seed, same bytes.

mixed: every entry boundary variant pt-query-digest splits on, in one file (../shared/SLOWLOG.md,
"One entry"): entries opening with "# Time:", with "# User@Host:", with an old Percona
"# User: name[name] @ [ip]" line or directly with "# Query_time:"; old Percona
"# Time: ... # User@Host: ..." lines followed by the same User@Host; "use db;" lines and entries
whose only statement is "use db;"; administrator commands after the SET line; string literals
with doubled quotes and backslash escapes.
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


# Statements whose literals are fixed, so that each is one class under pt-query-digest 3.2.1's
# fingerprint and under 3.5's, which differ on doubled quotes and backslash escapes.
QUOTED = [
    lambda r: f"SELECT * FROM notes WHERE body = 'it''s \"quoted\" \\\\ back' AND id = {r.randint(1, 10**6)}",
    lambda r: f"INSERT INTO notes (body, n) VALUES ('it''s \"quoted\" \\\\ back', {r.randint(1, 99)}), ('plain', {r.randint(1, 99)})",
    lambda r: f"SELECT * FROM tags WHERE label = '''' AND id = {r.randint(1, 10**6)}",
    lambda r: f"UPDATE users SET name = 'o\\'brien' WHERE id = {r.randint(1, 10**6)}",
    lambda r: f"SELECT * FROM users WHERE name IN ('it''s', 'x''y') AND id > {r.randint(1, 10**6)}",
]


def write_mixed(rng, target, out):
    common, rare = shapes(rng)
    statements = common + QUOTED
    weights = [1.0 / (i + 1) for i in range(len(common))] + [0.05] * len(QUOTED)
    # How an entry opens. A "use db;"-only entry is followed by one that opens with "# Time:" or
    # "# Query_time:" and has its SET line, as real servers write it: after such an entry
    # pt-query-digest reads on to the next ";" line end, so it would take a User@Host line for
    # a statement, glue an entry without a SET line to the one after it, and merge two
    # "use db;"-only entries in a row into one.
    openings = ["time", "user_host", "user", "query_time", "glued"]
    ts = 1795651200
    written = 0
    buf = []
    opening = "time"
    use_only = False
    while written < target:
        after_use_only = use_only
        ts += rng.choice([0, 0, 1])
        qt = rng.lognormvariate(-6, 2)
        user = rng.choice(["app", "report"])
        lines = []
        tm = _time.gmtime(ts)
        if opening == "time":
            lines.append(_time.strftime("# Time: %Y-%m-%dT%H:%M:%S", tm) + f".{rng.randint(0, 999999):06d}Z")
            lines.append(f"# User@Host: {user}[{user}] @ web [10.0.0.{rng.randint(2, 250)}]  Id: {rng.randint(10, 999)}")
        elif opening == "user_host":
            lines.append(f"# User@Host: {user}[{user}] @ web [10.0.0.{rng.randint(2, 250)}]")
        elif opening == "user":
            lines.append(f"# User: {user}[{user}] @ [10.0.0.{rng.randint(2, 250)}]")
        elif opening == "glued":
            uh = f"# User@Host: {user}[{user}] @ web []"
            lines.append(_time.strftime("# Time: %y%m%d ", tm) + f"{tm.tm_hour:2d}" + _time.strftime(":%M:%S ", tm) + uh)
            lines.append(uh)
        lines.append(f"# Query_time: {qt:.6f}  Lock_time: {qt * 0.01:.6f}  Rows_sent: {rng.randint(0, 50)}  Rows_examined: {rng.randint(0, 5000)}")
        kind = rng.random()
        nxt = rng.choice(openings)
        use_only = kind < 0.04 and nxt in ("time", "query_time", "glued") and not after_use_only
        if use_only:
            lines.append(f"use {rng.choice(['shop', 'billing'])};")  # the entry's only statement
        else:
            if rng.random() < 0.15:
                lines.append(f"use {rng.choice(['shop', 'billing'])};")
            if rng.random() < 0.8 or after_use_only:
                lines.append(f"SET timestamp={ts};")
            if kind > 0.97:
                lines.append(f"# administrator command: {rng.choice(['Quit', 'Ping', 'Init DB'])};")
            else:
                lines.append(rng.choices(statements, weights)[0](rng) + ";")
        text = "\n".join(lines) + "\n"
        buf.append(text)
        written += len(text)
        opening = nxt
        if len(buf) >= 2000:
            out.write("".join(buf))
            buf.clear()
    if use_only:  # pt-query-digest drops a "use db;"-only entry that ends the file
        buf.append("# Query_time: 0.000100  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0\nSELECT 1;\n")
    out.write("".join(buf))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flavor", choices=["mysql8", "percona", "mariadb", "mixed"], default="mysql8")
    ap.add_argument("--size", default="10MiB")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    target = parse_size(args.size)
    rng = random.Random(args.seed)
    if args.flavor == "mixed":
        write_mixed(rng, target, sys.stdout)
        return
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
