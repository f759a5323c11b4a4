"""CSV cells that no spreadsheet runs, for every CSV the site writes (the learner statistics,
a group's progress).

Spreadsheets run a cell that starts like a formula; curators' titles and learners' names must
not be able to. OWASP lists =, +, -, @, tab and CR as first characters. Spreadsheets also skip
leading white space and read the full-width and small forms of these signs as the signs
themselves, so the test is on the first character that is neither white space nor invisible,
in its NFKC form. "|" (the separator of DDE calls such as cmd|' /C calc'!A0) and "%" are added
as defusedcsv does, and the minus sign U+2212, which NFKC leaves alone: a quote in front of a
text that only looked like a formula costs nothing. Figures are numbers, not strings, so never
touched.
"""

import unicodedata

_FORMULA_STARTS = frozenset("=+-@|%\u2212")
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def csv_cell(value: object) -> object:
    """``value`` as a CSV cell that no spreadsheet runs: text that starts like a formula gets
    a leading ``'``, which spreadsheets read as "this is text"."""
    if not isinstance(value, str):
        return value
    if value.startswith(("\t", "\r")):
        return "'" + value
    first = next((c for c in value if unicodedata.category(c) not in _INVISIBLE), "")
    if unicodedata.normalize("NFKC", first)[:1] in _FORMULA_STARTS:
        return "'" + value
    return value
