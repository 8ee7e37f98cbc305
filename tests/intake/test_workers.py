"""Two processes give exactly what one gives: the same records, in the same order, and the
same outputs, file by file (collate.workers)."""

from __future__ import annotations

import email
import io
import os
import shutil
import zipfile

import docx
import pytest

from collate import workers
from collate.run import run_collation
from collate.settings import ROOT

SAMPLES = ROOT / "sample_returns"


def _square_slowly_for_some(n: int) -> int:
    if n % 3 == 0:  # uneven work, so that the workers finish out of order
        sum(range(200_000))
    return n * n


def test_results_come_back_in_the_order_of_the_items():
    items = list(range(40))
    assert list(workers.ordered_map(_square_slowly_for_some, items, 2)) == [n * n for n in items]
    assert list(workers.ordered_map(_square_slowly_for_some, items, 1)) == [n * n for n in items]


def test_a_worker_that_dies_leaves_the_work_to_this_process():
    parent = os.getpid()

    def fragile(n: int) -> int:
        if os.getpid() != parent and n == 5:
            os._exit(3)  # a worker killed part way (out of memory, say)
        return n + 1

    items = list(range(30))
    assert list(workers.ordered_map(fragile, items, 2)) == [n + 1 for n in items]


def _pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), _square_slowly_for_some(n)


def _dies_in_a_worker(parent_and_n: tuple[int, int]) -> int:
    parent, n = parent_and_n
    if os.getpid() != parent:
        os._exit(3)  # the other process killed part way (out of memory, say)
    return n + 1


def _refuses(n: int) -> int:
    raise ValueError(f"no {n}")


@pytest.mark.skipif(not workers._can_fork(), reason="work is shared only where it can fork")
def test_background_work_is_done_in_another_process_and_comes_back_in_order():
    items = list(range(12))
    wait = workers.background(_pid_and_square, items, 2)
    here = [n * n for n in items]  # this process goes on meanwhile
    found = wait()
    assert [square for _, square in found] == here
    assert {pid for pid, _ in found} == {found[0][0]} != {os.getpid()}
    # With one worker it is all done here, when the results are wanted.
    assert {pid for pid, _ in workers.background(_pid_and_square, items, 1)()} == {os.getpid()}


def test_background_work_that_fails_is_done_here_with_the_same_results_or_error():
    parent = os.getpid()
    wait = workers.background(_dies_in_a_worker, [(parent, n) for n in range(5)], 2)
    assert wait() == [1, 2, 3, 4, 5]
    wait = workers.background(_refuses, [1, 2], 2)
    with pytest.raises(ValueError, match="no 1"):
        wait()


def test_the_setting_chooses_the_processes(settings):
    assert workers.worker_count(settings.model_copy(update={"workers": 1})) == 1
    assert workers.worker_count(settings.model_copy(update={"workers": 3})) == 3
    assert workers.worker_count(settings) == min(2, os.cpu_count() or 1)


def _parts(path):
    with zipfile.ZipFile(path) as z:
        # core.xml holds the moment the file was written; nothing else may differ
        return {i.filename: z.read(i) for i in z.infolist() if i.filename != "docProps/core.xml"}


def _outputs(out) -> list:
    """Every output but the log and the run's lock (which hold the time of the run)."""
    return sorted(
        p.relative_to(out)
        for p in out.rglob("*")
        if p.is_file() and p.name != "collate.log" and not p.name.startswith(".")
    )


def _email(path) -> list:
    """An email's headers and parts, without what differs every time one is made (its date,
    its id and the random line that separates its parts)."""
    message = email.message_from_bytes(path.read_bytes())
    headers = [
        (k, v) for k, v in message.items() if k not in ("Date", "Message-ID", "Content-Type")
    ]
    parts = []
    for part in message.walk():
        if not part.is_multipart():
            data = part.get_payload(decode=True)
            if data.startswith(b"PK"):  # an attached workbook: its parts, as for the files
                data = _parts(io.BytesIO(data))
            parts.append((part.get_content_type(), part.get_filename(), data))
    return headers + parts


def _report_text(path) -> list[str]:
    document = docx.Document(io.BytesIO(path.read_bytes()))
    text = [p.text for p in document.paragraphs]
    for table in document.tables:
        text += [c.text for row in table.rows for c in row.cells]
    return text


@pytest.mark.skipif(not workers._can_fork(), reason="workers are forked processes")
def test_one_process_and_two_write_the_same_outputs(tmp_path, settings, instrument, monkeypatch):
    folder = tmp_path / "returns"
    folder.mkdir()
    for path in sorted(SAMPLES.glob("*.xlsx")) + sorted((SAMPLES / "flawed").glob("*.xlsx")):
        shutil.copy2(path, folder / path.name)
    (folder / "notes.txt").write_text("not a return", encoding="utf-8")
    assert len(list(folder.iterdir())) >= workers.MIN_ITEMS
    forked = []
    real = workers.ProcessPoolExecutor

    def counted(*args, **kwargs):
        forked.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", counted)
    runs = {}
    for n in (1, 2):
        one = settings.model_copy(update={"workers": n})
        runs[n] = (
            run_collation(folder, tmp_path / f"out{n}", one, instrument),
            tmp_path / f"out{n}",
        )
        if n == 1:
            assert not forked
    # reading, the exit-interview disclosure check, the outputs (the packs among them)
    assert len(forked) == 3
    (single, out1), (double, out2) = runs[1], runs[2]
    assert not single.problems and not double.problems
    assert [r.file_name for r in double.collation.records] == [
        r.file_name for r in single.collation.records
    ]
    for a, b in zip(single.collation.records, double.collation.records, strict=True):
        assert b.findings == a.findings, a.file_name
        assert b.values == a.values, a.file_name
        assert (b.la, b.identity, b.readable, b.sha256) == (a.la, a.identity, a.readable, a.sha256)
    assert {k: r.status for k, r in double.collation.results.items()} == {
        k: r.status for k, r in single.collation.results.items()
    }
    files = _outputs(out1)
    assert any(f.parts[0] == "la_packs" for f in files)
    assert _outputs(out2) == files
    for rel in files:
        a, b = out1 / rel, out2 / rel
        if rel.name == "report.docx":
            assert _report_text(b) == _report_text(a)
        elif rel.suffix == ".eml":
            assert _email(b) == _email(a), rel
        elif rel.suffix in (".xlsx", ".docx"):
            assert _parts(b) == _parts(a), rel
        else:
            assert b.read_bytes() == a.read_bytes(), rel
