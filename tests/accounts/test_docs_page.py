"""docs/accounts.md: its Python blocks run as written, one after the other (Sphinx does not run Markdown pages)."""

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "accounts.md"


def test_the_accounts_page_examples_run(served: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"^```python\n(.*?)^```$", PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) >= 4
    assert (
        len([line for line in blocks[0].splitlines() if line.strip() and not line.startswith(("from ", "import "))])
        == 5
    )
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), namespace)  # noqa: S102 - our own documentation
