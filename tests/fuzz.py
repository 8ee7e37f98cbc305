"""Mutations of valid returns, made in memory from a seeded random generator.

Each mutation breaks a good return in one way, at one level: its bytes, its zip structure, the
XML of one part, one cell's value, or one of the workbook's names. The collator must end every
one in either acceptance or a coded finding, within its time limit.

    python tests/fuzz.py [COUNT]   runs COUNT mutations and prints the slowest file's time and
                                    the peak memory while reading it
"""

from __future__ import annotations

import io
import random
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

SEED = "inbox-fuzz"

HOSTILE_VALUES = [
    "",
    "-1",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "99999999999999999999999",
    "0.45",
    "abc",
    "=1+2",
    "\u200b",
    "x" * 40_000,
]


@dataclass(frozen=True)
class Mutation:
    kind: str
    detail: str
    data: bytes


def _parts(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(info, z.read(info)) for info in z.infolist()]


def _zip(parts: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate part names are one of the mutations
        with zipfile.ZipFile(buffer, "w", method, compresslevel=1) as z:
            for name, body in parts:
                z.writestr(name, body)
    return buffer.getvalue()


def _with_part(parts, name: str, body: bytes) -> bytes:
    return _zip([(i.filename, body if i.filename == name else b) for i, b in parts])


# -- the five kinds of mutation ------------------------------------------------------------------


def mutate_bytes(rng: random.Random, data: bytes, parts) -> tuple[str, bytes]:
    b = bytearray(data)
    how = rng.choice(["flip", "truncate", "insert", "zero", "prefix"])
    if how == "flip":
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif how == "truncate":
        del b[rng.randrange(len(b)) :]
    elif how == "insert":
        at = rng.randrange(len(b))
        b[at:at] = rng.randbytes(rng.randint(1, 500))
    elif how == "zero":
        at = rng.randrange(len(b))
        b[at : at + rng.randint(1, 4096)] = bytes(min(4096, len(b) - at))
    else:
        b[0:0] = rng.choice([b"%PDF-1.7\n", b"<html>", b"\xef\xbb\xbf", b"PK\x03\x04"])
    return how, bytes(b)


def mutate_zip(rng: random.Random, data: bytes, parts) -> tuple[str, bytes]:
    names = [i.filename for i, _ in parts]
    how = rng.choice(["drop", "duplicate", "rename", "stored", "many", "nested", "empty"])
    if how == "drop":
        gone = rng.choice(names)
        return f"drop {gone}", _zip([(i.filename, b) for i, b in parts if i.filename != gone])
    if how == "duplicate":
        twice = rng.choice(parts)
        return f"duplicate {twice[0].filename}", _zip(
            [(i.filename, b) for i, b in parts] + [(twice[0].filename, b"<x/>")]
        )
    if how == "rename":
        old = rng.choice(names)
        return f"rename {old}", _zip(
            [(i.filename + ("x" if i.filename == old else ""), b) for i, b in parts]
        )
    if how == "stored":
        return "stored", _zip([(i.filename, b) for i, b in parts], zipfile.ZIP_STORED)
    if how == "many":
        extra = [(f"xl/media/pad{n}.bin", b"") for n in range(rng.randint(100, 3000))]
        return f"{len(extra)} extra parts", _zip([(i.filename, b) for i, b in parts] + extra)
    if how == "nested":
        return "a zip inside a zip", _zip([("return.xlsx", data)])
    return "empty zip", _zip([])


def mutate_xml(rng: random.Random, data: bytes, parts) -> tuple[str, bytes]:
    xml = [(i, b) for i, b in parts if i.filename.endswith((".xml", ".rels"))]
    info, body = rng.choice(xml)
    how = rng.choice(["cut", "attribute", "entity", "truncate", "tag", "encoding"])
    text = body
    if how == "cut":
        starts = [m.start() for m in re.finditer(rb"<", text)]
        if len(starts) > 2:
            a = rng.choice(starts)
            text = text[:a] + text[a + rng.randint(1, 200) :]
    elif how == "attribute":
        text = re.sub(rb'="[^"]*"', b'="\xff\xfe&amp;;"', text, count=rng.randint(1, 5))
    elif how == "entity":
        text = re.sub(
            rb"^(<\?xml[^>]*\?>)?",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
            text,
            count=1,
        )
    elif how == "truncate":
        text = text[: rng.randrange(len(text) or 1)]
    elif how == "tag":
        text = text.replace(b"<", b"<" + rng.choice([b"x:", b"", b"zz"]), 1)
    else:
        text = text.decode("utf-8", "replace").encode("utf-16")
    return f"{how} in {info.filename}", _with_part(parts, info.filename, text)


def mutate_cell(rng: random.Random, data: bytes, parts) -> tuple[str, bytes]:
    sheets = [(i, b) for i, b in parts if i.filename.startswith("xl/worksheets/sheet")]
    info, body = rng.choice(sheets)
    cells = list(re.finditer(rb"<c [^>]*?(?:/>|>.*?</c>)", body, re.S))
    if not cells:
        return "no cells", data
    m = rng.choice(cells)
    ref = re.search(rb'r="([A-Z]+[0-9]+)"', m.group(0))
    where = ref.group(1).decode() if ref else "?"
    how = rng.choice(["value", "type", "shared", "formula", "style"])
    value = rng.choice(HOSTILE_VALUES).encode("utf-8")
    if how == "value":
        new = f'<c r="{where}" t="inlineStr"><is><t>'.encode() + value + b"</t></is></c>"
    elif how == "type":
        t = rng.choice([b"e", b"b", b"d", b"n", b"str", b"q"])
        new = f'<c r="{where}" t="'.encode() + t + b'"><v>' + value + b"</v></c>"
    elif how == "shared":
        new = f'<c r="{where}" t="s"><v>{rng.choice([-1, 10**9, 0])}</v></c>'.encode()
    elif how == "formula":
        new = f'<c r="{where}"><f>SUM(A1:A9)</f><v>'.encode() + value + b"</v></c>"
    else:
        new = f'<c r="{where}" s="{rng.choice([9999, -3, 0])}"><v>1</v></c>'.encode()
    body = body[: m.start()] + new + body[m.end() :]
    return f"{how} at {info.filename} {where}", _with_part(parts, info.filename, body)


def mutate_name(rng: random.Random, data: bytes, parts) -> tuple[str, bytes]:
    body = dict((i.filename, b) for i, b in parts)["xl/workbook.xml"]
    names = list(re.finditer(rb'(<definedName name="([^"]+)"[^>]*>)([^<]*)(</definedName>)', body))
    m = rng.choice(names)
    how = rng.choice(["ref", "range", "other sheet", "empty", "duplicate", "rename", "long"])
    target = m.group(3)
    if how == "ref":
        target = b"#REF!"
    elif how == "range":
        target = target + b":$Z$99" if b":" not in target else target
    elif how == "other sheet":
        target = b"'No such sheet'!$A$1"
    elif how == "empty":
        target = b""
    elif how == "long":
        target = b"A" * 5000
    if how == "duplicate":
        new = m.group(0) + m.group(0)
    elif how == "rename":
        new = m.group(1).replace(m.group(2), m.group(2) + b"_x") + target + m.group(4)
    else:
        new = m.group(1) + target + m.group(4)
    body = body[: m.start()] + new + body[m.end() :]
    return f"{how}: {m.group(2).decode()}", _with_part(parts, "xl/workbook.xml", body)


MUTATORS: list[tuple[str, Callable]] = [
    ("bytes", mutate_bytes),
    ("zip", mutate_zip),
    ("xml", mutate_xml),
    ("cell", mutate_cell),
    ("name", mutate_name),
]


def mutations(bases: list[bytes], count: int, seed: str = SEED) -> Iterator[Mutation]:
    """`count` mutations of the valid returns `bases`, the same ones for the same seed."""
    rng = random.Random(seed)
    parsed = [_parts(b) for b in bases]
    for n in range(count):
        k = rng.randrange(len(bases))
        kind, mutate = MUTATORS[n % len(MUTATORS)]
        detail, data = mutate(rng, bases[k], parsed[k])
        yield Mutation(kind, detail, data)


def main() -> None:  # pragma: no cover - a measuring aid
    import sys
    import tempfile
    import time
    import tracemalloc
    from pathlib import Path

    from collate.intake.reader import read_return
    from collate.load import load_instrument
    from collate.settings import ROOT, load_settings

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    settings = load_settings()
    instrument = load_instrument(settings.instrument_folder)
    bases = [p.read_bytes() for p in sorted((ROOT / "sample_returns").glob("SAMPLE_*.xlsx"))[:3]]
    layouts: dict = {}
    worst = (0.0, None)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutated.xlsx"
        for m in mutations(bases, count):
            path.write_bytes(m.data)
            t = time.perf_counter()
            read_return(path, instrument, settings, layouts)
            took = time.perf_counter() - t
            if took > worst[0]:
                worst = (took, m)
        total = time.perf_counter() - start
        took, m = worst
        path.write_bytes(m.data)
        tracemalloc.start()
        read_return(path, instrument, settings, {})
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"{count} mutations in {total:.1f} s")
    print(
        f"slowest: {took:.2f} s ({m.kind}: {m.detail}); "
        f"peak memory reading it {peak / 2**20:.1f} MB"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
