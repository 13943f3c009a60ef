#!/usr/bin/env python3
"""Applies extra broker properties to DIR/server.properties for scripts/kafka-broker.

  extra_properties.py DIR KEY=VALUE KEY+=VALUE ...

KEY=VALUE sets a property (replacing the template's), KEY+=VALUE appends ",VALUE" to it. In
values, @DIR@ is DIR and each distinct @PORT_<NAME>@ gets a free port of 127.0.0.1; those are
printed as KAFKA_PORT_<NAME>=<port> lines, which the caller keeps and prints after
KAFKA_BOOTSTRAP=.
"""
import re
import socket
import sys


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    folder = sys.argv[1]
    path = folder + "/server.properties"
    lines = open(path).read().splitlines()
    props = {}
    order = []
    for line in lines:
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            props[k] = v
            order.append(k)
    ports = {}
    used = {v.rsplit(":", 1)[-1] for v in props.values()}

    def fill(value):
        def port(m):
            name = m.group(1)
            if name not in ports:
                p = free_port()
                while str(p) in used or p in ports.values():
                    p = free_port()
                ports[name] = p
            return str(ports[name])
        return re.sub(r"@PORT_([A-Z0-9_]+)@", port, value.replace("@DIR@", folder))

    for arg in sys.argv[2:]:
        m = re.match(r"^([A-Za-z0-9_.\-]+)(\+?=)(.*)$", arg, re.S)
        if not m:
            sys.exit("extra_properties: expected KEY=VALUE or KEY+=VALUE, got " + arg)
        key, op, value = m.group(1), m.group(2), fill(m.group(3))
        if op == "+=" and props.get(key):
            props[key] = props[key] + "," + value
        else:
            props[key] = value
        if key not in order:
            order.append(key)
    with open(path, "w") as f:
        f.write("# A single-node KRaft broker on 127.0.0.1 (scripts/kafka-broker), with extra properties.\n")
        for k in order:
            f.write(k + "=" + props[k] + "\n")
    for name, p in ports.items():
        print("KAFKA_PORT_%s=%d" % (name, p))


if __name__ == "__main__":
    main()
