"""What a run changed on a live account and has not put back yet: build/stepshot/account-journal.json.

Before the walk changes the account's display language or turns a switch On (for a "before" picture), it
writes that down here; once it has put things back, it clears the entry. A run that dies in between leaves
the entry, and the next run against that target puts things back first (run.py). Logins are named by a
hash of the account's email, never by the email itself: the reports folder is uploaded by the nightly job.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .errors import BadInput
from .files import problem, read_json, to_json, write_atomic

FILE_NAME = "account-journal.json"


class Journal:
    def __init__(self, path: Path, base_url: str):
        self.path = path
        self.base_url = base_url
        self.lock = threading.Lock()

    def _load(self) -> dict:
        data = read_json(self.path, missing={})
        if not all(isinstance(v, dict) for v in data.values()):
            raise BadInput(problem(self.path, "(top)", "expected {login: {base_url, language, switches_on}}"))
        return data

    def pending(self, key: str) -> dict:
        """{"language": value or None, "switches_on": [paths]} left by an earlier run, or empty."""
        entry = self._load().get(key, {})
        if entry.get("base_url") != self.base_url:
            return {}
        return {"language": entry.get("language"), "switches_on": list(entry.get("switches_on", []))}

    def _update(self, key: str, change) -> None:
        with self.lock:
            data = self._load()
            entry = data.get(key) if data.get(key, {}).get("base_url") == self.base_url else None
            entry = change(dict(entry or {"base_url": self.base_url, "language": None, "switches_on": []}))
            if entry is None or (entry["language"] is None and not entry["switches_on"]):
                data.pop(key, None)
            else:
                data[key] = entry
            write_atomic(self.path, to_json(data))

    def language_changed(self, key: str, original: str) -> None:
        """The account's language was `original` before this run changed it (kept if already noted)."""
        self._update(key, lambda e: {**e, "language": e["language"] or original})

    def language_restored(self, key: str) -> None:
        self._update(key, lambda e: {**e, "language": None})

    def switch_on(self, key: str, path: str) -> None:
        self._update(key, lambda e: {**e, "switches_on": sorted({*e["switches_on"], path})})

    def switch_off(self, key: str, path: str) -> None:
        self._update(key, lambda e: {**e, "switches_on": [p for p in e["switches_on"] if p != path]})
