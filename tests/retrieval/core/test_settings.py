"""Settings: `.env.example` documents every setting, and its values are the defaults a user gets."""

from __future__ import annotations

import re

from retrieval.core.settings import Settings
from tests.conftest import ROOT

LINE = re.compile(r"^#?\s*(NEWSBOT_\w+)=(\S*)")


def _example() -> dict[str, str]:
    found = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if m := LINE.match(line):
            found[m.group(1)] = m.group(2)
    return found


def test_env_example_names_every_setting():
    documented = set(_example())
    fields = {"NEWSBOT_" + name.upper() for name in Settings.model_fields}
    assert fields - documented == set(), "settings missing from .env.example"
    assert documented - fields == set(), ".env.example names settings that do not exist"


def test_env_example_uncommented_gives_the_defaults(tmp_path, monkeypatch):
    """A user who uncomments every line of .env.example gets the same settings as with no .env at all."""
    for key in list(__import__("os").environ):
        if key.startswith("NEWSBOT_"):
            monkeypatch.delenv(key)
    values = {k: v for k, v in _example().items() if v and k not in ("NEWSBOT_TELEGRAM_TOKEN", "NEWSBOT_DATA_DIR")}
    env = tmp_path / ".env"
    env.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    loaded = Settings(_env_file=env).model_dump()
    defaults = Settings(_env_file=None).model_dump()
    differ = {k: (loaded[k], defaults[k]) for k in defaults if loaded[k] != defaults[k]}
    assert differ == {}
