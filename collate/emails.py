"""Draft emails (.eml) with an attachment, their text from jinja2 templates in templates/email/.

Drafts open in Outlook and Thunderbird as unsent messages; the programme manager checks the
recipient, then sends. Boundaries are fixed so the same inputs give the same file.
"""

from __future__ import annotations

import functools
import hashlib
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def number_of(n: int, singular: str, plural: str) -> str:
    """'1 query', '2 queries': a count with the word that agrees with it (a template filter)."""
    return f"{n} {singular if n == 1 else plural}"


@functools.lru_cache(maxsize=16)
def _environment(template_dir: Path) -> Environment:
    """One jinja2 environment per templates folder, so that a template is compiled once for a
    round's 153 emails, not once per email. Its cache cannot go stale: jinja2 (auto_reload,
    its default) compiles a template again when its file has changed since."""
    env = Environment(
        loader=FileSystemLoader(template_dir),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=True,
    )
    env.filters["number_of"] = number_of
    return env


def render_text(template_dir: Path, name: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render a text template whose first line is 'Subject: ...'; returns (subject, body)."""
    text = _environment(Path(template_dir)).get_template(name).render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"{template_dir / name}: the first line must be 'Subject: ...'")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


def draft_email(
    subject: str,
    body: str,
    sender: str,
    to: str | None,
    attachment: tuple[str, bytes] | None | list[tuple[str, bytes]],
    cc: str | None = None,
) -> bytes:
    """A draft message; `attachment` is one (file name, bytes) pair, a list of them, or None."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = to or ""
    if cc:
        msg["Cc"] = cc
    msg["X-Unsent"] = "1"  # Outlook opens the file as a draft ready to send
    msg.set_content(body)
    attachments = [attachment] if isinstance(attachment, tuple) else list(attachment or [])
    digest = hashlib.sha256()
    for name, data in attachments:
        msg.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=name)
        digest.update(data)
    if attachments:
        msg.set_boundary("==ie-" + digest.hexdigest()[:24])
    return msg.as_bytes(policy=SMTP)
