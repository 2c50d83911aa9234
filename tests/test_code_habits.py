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


def test_each_subpackage_imports_only_what_its_docstring_allows():
    """``retrieval/<package>/__init__.py`` says "May import: ``core``, ``store``."; no module of the package
    imports another subpackage of retrieval (the layers have no circle: core at the bottom, newsbot on top)."""
    import ast

    offenders = []
    for init in sorted((ROOT / "retrieval").glob("*/__init__.py")):
        package = init.parent.name
        rule = re.search(r"May import:(.*?)(?:\n\n|\"\"\")", init.read_text(encoding="utf-8"), re.DOTALL)
        assert rule, f"retrieval/{package}/__init__.py does not say what it may import"
        allowed = {package, *re.findall(r"``(\w+)``", rule.group(1))}
        allowed |= {"newsbot"} if "retrieval.newsbot" in rule.group(1) else set()
        for path in sorted(init.parent.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else [])
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "retrieval" and len(parts) > 1 and parts[1] not in allowed:
                        offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []
