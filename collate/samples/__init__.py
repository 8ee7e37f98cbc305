"""Synthetic sample returns and the tools that make them: filling a workbook as a council
would (`filler`), re-saving through LibreOffice (`libreoffice`), the sample round (`returns`)
and a made-up previous round (`previous_round`). Used by the demonstration and the tests, never
by a real collation."""
