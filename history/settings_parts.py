"""Settings that the apps built beside history keep for a learner, in the export and back in.

History knows nothing of those apps (they import history, never the reverse): an app registers
its part once, in its ``AppConfig.ready()`` (``register(SettingsPart(...))``), and the export
and the import handle every registered part alike:

- the JSON export writes ``part.export(user)`` under ``"settings"``, at ``part.key``, and the
  Markdown study document the lines of ``part.markdown(user)`` (none: nothing to show) after
  its heading;
- an upload hands the file's value, when the key is there, to ``part.parse(value, user)``,
  which returns it normalised (JSON, kept with the pending import) or raises ``ValueError``
  with a message for the learner: the whole file is refused and nothing changes, as for any
  other bad input;
- the preview lists ``part.changes(user, value)``, one (label, now, from the file) per setting
  the file would change, and confirming calls ``part.apply(user, value)`` in the import's
  transaction. A part decides what "absent" means; nothing is deleted for being absent.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SettingsPart:
    key: str
    export: Callable[[Any], Any]
    parse: Callable[[Any, Any], Any]
    changes: Callable[[Any, Any], list[tuple[str, str, str]]]
    apply: Callable[[Any, Any], None]
    markdown: Callable[[Any], list[str]] = lambda user: []


_parts: dict[str, SettingsPart] = {}


def register(part: SettingsPart) -> None:
    """Add a part; registering the same key again replaces it."""
    _parts[part.key] = part


def parts() -> list[SettingsPart]:
    return list(_parts.values())
