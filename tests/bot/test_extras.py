"""A missing optional part is one line naming the command that installs it."""

from __future__ import annotations

import pytest

from bot import extras


def test_a_missing_extra_names_its_install_command(monkeypatch):
    monkeypatch.setitem(extras.EXTRAS, "telegram", ("newsbot_no_such_module", "the Telegram bot"))
    with pytest.raises(extras.MissingExtra) as caught:
        extras.require("telegram")
    message = str(caught.value)
    assert "pip install 'newsbot[telegram]'" in message and "\n" not in message


def test_installed_extras_pass():
    for name in extras.EXTRAS:
        extras.require(name)  # the test environment installs newsbot[all]
