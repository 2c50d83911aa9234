"""Habits the code keeps: lint suppressions say why, and the core never imports the adapters."""

from __future__ import annotations

import re

from tests.conftest import ROOT

SUPPRESSION = re.compile(r"#\s*(noqa|type:\s*ignore)\b(.*)$")
# "# noqa: CODE - why" and "# type: ignore[code]  # why": the code alone is not a reason
WITH_REASON = re.compile(r"^(?::\s*[A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*\s+-\s+\S.*|\[[\w,\s-]+\]\s+#\s*\S.*)$")


def _python_files():
    for folder in ("retrieval", "bot"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_every_noqa_and_type_ignore_gives_a_reason():
    bare = []
    for path in _python_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = SUPPRESSION.search(line)
            if match and not WITH_REASON.match(match.group(2).strip() if match.group(1) != "noqa" else match.group(2)):
                bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bare, "suppressions without a reason:\n" + "\n".join(bare)


def test_the_core_never_imports_the_adapters():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "retrieval").rglob("*.py"))
        if re.search(r"^\s*(?:from|import)\s+bot\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert offenders == []
