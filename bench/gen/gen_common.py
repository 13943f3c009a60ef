"""What the generators share: sizes as people write them, and buffered output."""
import sys

UNITS = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}


def parse_size(text):
    """'100MiB' -> 104857600; a bare number is bytes."""
    for unit, mult in UNITS.items():
        if text.endswith(unit):
            return int(float(text[: -len(unit)]) * mult)
    return int(text)


def write_until(target_bytes, make_chunk, out=sys.stdout, batch=4096):
    """Calls make_chunk() (returning text) until target_bytes are written, in large writes."""
    written = 0
    buf = []
    while written < target_bytes:
        chunk = make_chunk()
        buf.append(chunk)
        written += len(chunk)
        if len(buf) >= batch:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
