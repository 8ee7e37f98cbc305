"""Load an instrument with its check catalogue: the one place that composes the two.

The catalogue's rules are expanded over the instrument's fields, so the instrument is read first
(`collate.instrument.model`) and its catalogue built from it (`collate.checks.catalogue`). This
module sits above both, so neither imports the other.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from collate.checks.catalogue import load_catalogue
from collate.instrument.model import CHECKS_FILE, Instrument, read_instrument, read_yaml


def load_instrument(folder: Path | str) -> Instrument:
    """Load, validate and expand the instrument in `folder` (templates/instrument) with its
    check catalogue (checks.yaml in the same folder)."""
    bare = read_instrument(folder)
    path = bare.folder / CHECKS_FILE
    return dataclasses.replace(bare, checks=load_catalogue(read_yaml(path), path, bare))
