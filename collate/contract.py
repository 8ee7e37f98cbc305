"""The contract between the generator and the collator: every name a return workbook carries.

The generator writes these names into each workbook; the reader finds every answer, list and
identity value by them, never by a cell address; the filler and the tests use them too. Rename
something here and both sides follow. This module imports nothing from the toolkit.

A workbook carries:
- a **defined name** for every answer cell (``ie_`` + the field's id, see `answer_name`), for
  each query's explanation cell on the Checks sheet (`explanation_name`), for each dropdown's
  list (`LIST_PREFIX`), for the Checks sheet's verdict and counts, and for each identity value
  on the hidden Identity sheet (`META_PREFIX`);
- **document properties**: each identity value again (`PROPERTY_PREFIX` + key), the random issue
  token (`ISSUE_TOKEN`) and, in a pre-filled workbook, what was carried forward;
- three **support sheets** beside the instrument's own: Checks, Lists and Identity.
"""

from __future__ import annotations

import re

#: Every name the toolkit gives starts with this, so it never clashes with a council's own names.
NAME_PREFIX = "ie_"

# ---- Support sheets ---------------------------------------------------------------------------
CHECKS_SHEET = "Checks"
LISTS_SHEET = "Lists"
IDENTITY_SHEET = "Identity"
SUPPORT_SHEETS = (CHECKS_SHEET, LISTS_SHEET, IDENTITY_SHEET)

# ---- Defined names ----------------------------------------------------------------------------
#: Identity values on the hidden Identity sheet: ``ie_meta_la_code`` and so on.
META_PREFIX = NAME_PREFIX + "meta_"
#: The source range of each dropdown list: ``ie_list_levels`` (a reduced list adds a suffix).
LIST_PREFIX = NAME_PREFIX + "list_"
#: The Checks sheet's verdict and its three counts (compared with the collator's verdict).
VERDICT_NAME = NAME_PREFIX + "checks_verdict"
COUNT_NAMES = (
    NAME_PREFIX + "checks_must_fix",
    NAME_PREFIX + "checks_to_explain",
    NAME_PREFIX + "checks_explained",
)
EXPLAIN_PREFIX = NAME_PREFIX + "explain_"

# ---- Identity --------------------------------------------------------------------------------
#: What identifies a return. Each key is written three ways (defined name on the Identity sheet,
#: document property, and the sheet's value) and the collator compares them.
IDENTITY_KEYS = (
    "la_name",
    "la_code",
    "dfe_number",
    "round",
    "instrument_id",
    "instrument_version",
    "fingerprint",
    "sample",
)

# ---- Document properties ---------------------------------------------------------------------
#: Identity values as custom document properties: ``ie_la_code`` and so on.
PROPERTY_PREFIX = NAME_PREFIX
#: The random token each issued workbook carries (recorded in manifest.csv). Its hyphen keeps it
#: apart from the identity properties.
ISSUE_TOKEN = "ie-issue-token"
#: In a pre-filled workbook: the round its answers came from, and a digest of each section as
#: carried forward (so an unreviewed section can be queried).
CARRIED_ROUND_KEY = "carried_forward_round"
CARRIED_SECTION_KEY = "carried_{section}"

# ---- Files the collator writes ---------------------------------------------------------------
#: Present in an outputs folder while a run writes it; a returns folder's subfolder holding it is
#: the collator's own output, not returns.
OUTPUT_LOCK_NAME = ".collate.lock"


def answer_name(field_id: str) -> str:
    """The defined name of a field's answer cell (Excel names are case-insensitive)."""
    return NAME_PREFIX + field_id.replace(".", "_").lower()


def explanation_name(check_id: str) -> str:
    """The defined name of the Checks-sheet cell where a council explains a query."""
    return EXPLAIN_PREFIX + re.sub(r"[^a-z0-9]+", "_", check_id.lower()).strip("_")


def property_name(key: str) -> str:
    """The document property holding identity (or carried-forward) value `key`."""
    return PROPERTY_PREFIX + key


def property_key(name: str) -> str | None:
    """The key a toolkit document property holds (`property_name` backwards), or None for a
    property the toolkit did not write."""
    if name.startswith(PROPERTY_PREFIX) and name != ISSUE_TOKEN:
        return name[len(PROPERTY_PREFIX) :]
    return None
