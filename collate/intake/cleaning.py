"""Text is cleaned before any check looks at it, so that a check sees what a person sees.

- Unicode NFC: an accented letter typed as a letter plus an accent becomes the one character;
- spaces, tabs and line breaks before and after the text are removed (Excel and LibreOffice do
  not show them, and a tab before "=" would otherwise hide a formula from the formula check);
- invisible characters (zero-width spaces and joiners, byte-order marks, direction marks, soft
  hyphens and control characters) are removed wherever they are, and named, so that the council
  can be told which ones were found. Line breaks and tabs inside the text are kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_KEPT_INSIDE = {"\n", "\t"}
_ASCII_HIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class CleanText:
    text: str
    hidden: tuple[str, ...] = ()  # names of the invisible characters removed, in order found

    @property
    def hidden_names(self) -> str:
        """The characters removed, for a message: 'zero width space (U+200B)'."""
        return ", ".join(self.hidden)


def character_name(ch: str) -> str:
    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    if not name and unicodedata.category(ch) == "Cc":
        name = "CONTROL CHARACTER"
    return f"{name.lower()} ({code})" if name else code


def is_hidden(ch: str) -> bool:
    return ch not in _KEPT_INSIDE and (
        unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") and ch != "\r"
    )


def clean_text(value: str) -> CleanText:
    """`value` as a check should see it, and the invisible characters taken out of it."""
    if value.isascii():  # the usual case, made quick: only control characters can hide here
        text = value
        suspect = _ASCII_HIDDEN.search(text) is not None
    else:
        text = unicodedata.normalize("NFC", value)
        suspect = any(map(is_hidden, text))
    hidden: list[str] = []
    if suspect:
        kept = []
        for ch in text:
            if is_hidden(ch):
                name = character_name(ch)
                if name not in hidden:
                    hidden.append(name)
            else:
                kept.append(ch)
        text = "".join(kept)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return CleanText(text, tuple(hidden))
