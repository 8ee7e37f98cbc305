"""Round settings: region, round, deadline, contact, the councils taking part and analysis choices.

Read from a YAML file (templates/round.yaml by default) and validated on load, with messages
that name the file and the key at fault.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from collate.errors import SettingsError

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
DEFAULT_SETTINGS = TEMPLATES / "round.yaml"
PASSWORD_ENV = "IE_SHEET_PASSWORD"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalAuthority(_Strict):
    name: str
    short_name: str
    gss_code: str
    dfe_number: int
    email: str | None = None

    @field_validator("gss_code")
    @classmethod
    def _gss(cls, v: str) -> str:
        if not re.fullmatch(r"[EWSN]\d{8}", v):
            raise ValueError(
                f"'{v}' is not an ONS GSS code (a letter and 8 digits, e.g. E10000012)"
            )
        return v

    @property
    def slug(self) -> str:
        """A file-name-safe form of the name (Southend-on-Sea → Southend-on-Sea)."""
        return re.sub(r"[^A-Za-z0-9-]+", "_", self.name).strip("_")


class Contact(_Strict):
    name: str
    role: str
    email: str


class ReportSettings(_Strict):
    author: str
    title: str


class AnalysisSettings(_Strict):
    # Defaults, so that a round whose instrument has no children's or workforce figures (e.g. a
    # self-assessment only) need not set them; see templates/round.yaml for what each means.
    over_representation_threshold: float = Field(default=1.25, gt=1)
    suppress_from: int = Field(default=1, ge=1)
    suppress_to: int = Field(default=5, ge=1)
    likelihood_band: tuple[float, float] = (0.80, 1.25)
    population_file: str = "reference/population_census2021.csv"
    # The child population by ethnic group that representation ratios compare with (see
    # collate/analysis/child_population.py and the notes on method): "school_census" (the default),
    # "census_age_adjusted" or "census_all_ages".
    child_population: Literal["school_census", "census_age_adjusted", "census_all_ages"] = (
        "school_census"
    )
    school_census_file: str = "reference/school_census_pupils_by_ethnicity.csv"
    school_census_year: str = "2021/22"
    age_profile_file: str = "reference/census2021_ew_ethnic_group_by_age.csv"

    @model_validator(mode="after")
    def _ordered(self) -> AnalysisSettings:
        if self.suppress_to < self.suppress_from:
            raise ValueError("suppress_to must not be less than suppress_from")
        lo, hi = self.likelihood_band
        if not 0 < lo < 1 < hi:
            raise ValueError(
                "likelihood_band must be two numbers either side of 1, e.g. [0.8, 1.25]"
            )
        return self


class IntakeSettings(_Strict):
    """Limits on what the collator will read from one returned file (see the README).

    A return is about 0.1 MB on disk, unpacks to a few MB and has a few thousand cells filled.
    Anything hundreds of times bigger has had something pasted into it, or is a "zip bomb", and
    is refused before it can exhaust the programme manager's laptop."""

    max_file_mb: float = Field(default=50, gt=0)
    max_unpacked_mb: float = Field(default=250, gt=0)
    max_zip_members: int = Field(default=1000, gt=0)
    max_cells: int = Field(default=1_000_000, gt=0)
    max_seconds_per_file: float = Field(default=60, gt=0)


class RoundSettings(_Strict):
    programme: str
    organisation: str
    organisation_strapline: str
    region: str
    region_code: str
    round: str
    # The period the figures describe; None for a round that collects no figures.
    figures_year_ending: dt.date | None = None
    deadline: dt.date
    contact: Contact
    report: ReportSettings
    sheet_password: str
    # The sign-off on the Cover (who approved the return, and the declaration) is required for
    # a return to be accepted; set to false to make it optional for a round.
    certification_required: bool = True
    analysis: AnalysisSettings = AnalysisSettings()
    local_authorities: list[LocalAuthority] = Field(min_length=1)
    intake: IntakeSettings = IntakeSettings()
    # Processes used to read returns and write the packs; none given: two where the computer
    # has two cores or more (collate.workers). 1 does everything in one process.
    workers: int | None = Field(default=None, ge=1, le=64)
    # Where the file was read from, so that relative paths resolve against it.
    source: Path | None = None

    @model_validator(mode="after")
    def _unique(self) -> RoundSettings:
        for attr in ("name", "gss_code", "dfe_number"):
            values = [getattr(la, attr) for la in self.local_authorities]
            dupes = sorted({str(v) for v in values if values.count(v) > 1})
            if dupes:
                raise ValueError(f"two councils share the same {attr}: {', '.join(dupes)}")
        return self

    @property
    def password(self) -> str:
        return os.environ.get(PASSWORD_ENV) or self.sheet_password

    @property
    def templates_folder(self) -> Path:
        return (self.source.parent if self.source else TEMPLATES).resolve()

    @property
    def instrument_folder(self) -> Path:
        return self.templates_folder / "instrument"

    @property
    def population_path(self) -> Path:
        return self.templates_folder / self.analysis.population_file

    def requires(self, f: Any) -> bool:
        """Whether an answer is required this round (sign-off answers only with certification)."""
        return bool(f.required) and (self.certification_required or not f.certification)

    def placeholders(self) -> list[str]:
        """What is still a placeholder and must be set before a real round: each as a sentence
        saying what to change and where. `build_templates.py --final` refuses while any remain."""
        problems = []
        if is_placeholder_email(self.contact.email):
            problems.append(
                f"The programme's contact address is a placeholder ({self.contact.email}): "
                "set contact: email: in the round settings."
            )
        missing = [la.name for la in self.local_authorities if not la.email]
        dummy = [
            la.name for la in self.local_authorities if la.email and is_placeholder_email(la.email)
        ]
        if missing:
            problems.append(
                "No contact address for " + ", ".join(missing) + ": add email: to each "
                "council's line in the round settings."
            )
        if dummy:
            problems.append(
                "Placeholder contact address (.example) for " + ", ".join(dummy) + ": set each "
                "council's real email: in the round settings."
            )
        if not os.environ.get(PASSWORD_ENV):
            problems.append(
                f"The sheet password is the fallback written in the round settings file: set "
                f"{PASSWORD_ENV} in the environment (e.g. export {PASSWORD_ENV}=...)."
            )
        return problems

    def la_by_code(self, gss_code: str) -> LocalAuthority | None:
        for la in self.local_authorities:
            if la.gss_code == gss_code:
                return la
        return None

    def la_by_name(self, name: str) -> LocalAuthority | None:
        key = name.strip().lower()
        for la in self.local_authorities:
            if key in (
                la.name.lower(),
                la.short_name.lower(),
                la.slug.lower(),
                la.gss_code.lower(),
            ):
                return la
        return None


def is_placeholder_email(address: str) -> bool:
    """An address on a domain reserved for examples (RFC 2606), or no address at all."""
    domain = address.rpartition("@")[2].lower().strip()
    return (
        not domain
        or domain.endswith(".example")
        or domain in ("example.com", "example.org", "example.net")
        or domain.endswith((".example.com", ".example.org", ".example.net", ".invalid", ".test"))
    )


def load_settings(path: Path | str | None = None) -> RoundSettings:
    """Read and validate round settings; `path` defaults to templates/round.yaml."""
    path = Path(path) if path else DEFAULT_SETTINGS
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"{path}: settings file not found") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: expected settings as 'key: value' lines")
    try:
        return RoundSettings.model_validate({**raw, "source": path.resolve()})
    except ValidationError as exc:
        lines = []
        for err in exc.errors()[:8]:
            where = " → ".join(str(p) for p in err["loc"]) or "(top level)"
            lines.append(f"  at {where}: {err['msg']}")
        raise SettingsError(f"{path}: the settings are not valid:\n" + "\n".join(lines)) from None
