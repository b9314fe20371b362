"""The documentation's Python examples run as written.

Every ``.. code-block:: python`` of a page of ``docs/`` (and every fenced ```` ```python ````
block of the README's "Quickstart" section) is executed in order, in one namespace per
page, by a fresh interpreter whose working directory is an empty temporary folder and
whose current user is the standalone one: what a reader gets by pasting the blocks one
after the other into a script. A fresh interpreter per page keeps what a page does to
process-wide state (``current_user.reset``, log handlers) away from the other tests.

Sphinx is not needed: the Sphinx build itself (``make docs``, warnings are errors) is
separate from the test suite.
"""

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"

#: Seconds one page may take (a page starts a Python with Flask and backo: ~1 s).
PAGE_TIMEOUT = 120

#: What the child interpreter runs: the blocks of one page, read as JSON on stdin.
RUNNER = textwrap.dedent(
    """
    import json, sys
    from backo import current_user
    current_user.standalone = True
    source, blocks = json.load(sys.stdin)
    namespace = {"__name__": "__docs__"}
    for line, code in blocks:
        # Leading newlines make tracebacks point at the line of the page.
        exec(compile("\\n" * (line - 1) + code, source, "exec"), namespace)
    """
)

_RST_BLOCK = re.compile(r"^(?P<indent>[ \t]*)\.\. code-block:: python[ \t]*$")
_FENCE = re.compile(r"^```python[ \t]*$")


def rst_python_blocks(text: str) -> list[tuple[int, str]]:
    """``(first line number, code)`` of each ``.. code-block:: python`` of a reST page."""
    lines = text.splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        match = _RST_BLOCK.match(lines[index])
        index += 1
        if match is None:
            continue
        directive_indent = len(match["indent"])
        # Directive options (":caption: ...") then a blank line, then the indented body.
        while index < len(lines) and lines[index].strip().startswith(":"):
            index += 1
        body: list[str] = []
        start = None
        while index < len(lines):
            line = lines[index]
            indent = len(line) - len(line.lstrip())
            if line.strip() and indent <= directive_indent:
                break
            if start is None and line.strip():
                start = index + 1
            if start is not None:
                body.append(line)
            index += 1
        if start is not None:
            blocks.append((start, textwrap.dedent("\n".join(body)).rstrip() + "\n"))
    return blocks


def markdown_python_blocks(text: str) -> list[tuple[int, str]]:
    """``(first line number, code)`` of each fenced ```` ```python ```` block of a Markdown text."""
    lines = text.splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        if _FENCE.match(lines[index]):
            start = index + 2
            end = index + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            blocks.append((start, "\n".join(lines[index + 1 : end]) + "\n"))
            index = end
        index += 1
    return blocks


def markdown_section(text: str, title: str) -> str:
    """The ``## title`` section of a Markdown text, other lines blanked (line numbers kept)."""
    lines = text.splitlines()
    kept = []
    inside = False
    for line in lines:
        if line.startswith("## "):
            inside = line[3:].strip() == title
        kept.append(line if inside else "")
    return "\n".join(kept)


def run_blocks(source: str, blocks: list[tuple[int, str]], workdir: Path) -> None:
    """Run ``blocks`` in a fresh interpreter in ``workdir``; fail with its output if it fails."""
    completed = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", RUNNER],
        input=json.dumps([source, blocks]),
        capture_output=True,
        text=True,
        cwd=workdir,
        timeout=PAGE_TIMEOUT,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(f"{source}: an example failed\n--- stdout\n{completed.stdout}\n--- stderr\n{completed.stderr}")


def documented_pages() -> list[Path]:
    """The reST pages of ``docs/`` that hold Python examples."""
    return sorted(page for page in DOCS.glob("*.rst") if rst_python_blocks(page.read_text(encoding="utf-8")))


# --- the extractors themselves ------------------------------------------------------------


def test_rst_extractor_reads_options_indentation_and_line_numbers() -> None:
    page = textwrap.dedent(
        """\
        Title

        .. code-block:: python
           :caption: one

           a = 1
           if a:
               b = 2

        text

        .. code-block:: console

           $ not python

        * item

          .. code-block:: python

             c = 3
        """
    )
    assert rst_python_blocks(page) == [(6, "a = 1\nif a:\n    b = 2\n"), (20, "c = 3\n")]


def test_markdown_extractor_keeps_the_section_and_line_numbers() -> None:
    text = "# T\n\n## Quickstart\n\n```python\nx = 1\n```\n\n```bash\nls\n```\n\n## Other\n\n```python\ny = 2\n```\n"
    assert markdown_python_blocks(markdown_section(text, "Quickstart")) == [(6, "x = 1\n")]


# --- the documentation ----------------------------------------------------------------------


def test_docs_quickstart_runs_as_written(tmp_path: Path) -> None:
    page = DOCS / "quickstart.rst"
    blocks = rst_python_blocks(page.read_text(encoding="utf-8"))
    assert len(blocks) >= 3, "the quickstart lost its examples"
    run_blocks("docs/quickstart.rst", blocks, tmp_path)


def test_readme_quickstart_runs_as_written(tmp_path: Path) -> None:
    section = markdown_section(README.read_text(encoding="utf-8"), "Quickstart")
    blocks = markdown_python_blocks(section)
    assert len(blocks) >= 2, "the README's Quickstart lost its examples"
    run_blocks("README.md", blocks, tmp_path)


@pytest.mark.parametrize("page", [page.name for page in documented_pages() if page.name != "quickstart.rst"])
def test_guide_page_examples_run(page: str, tmp_path: Path) -> None:
    blocks = rst_python_blocks((DOCS / page).read_text(encoding="utf-8"))
    run_blocks(f"docs/{page}", blocks, tmp_path)


def test_every_guide_page_is_in_the_table_of_contents() -> None:
    index = (DOCS / "index.rst").read_text(encoding="utf-8")
    entries = set(re.findall(r"^\s{3}(\S+)\s*$", index, flags=re.MULTILINE))
    pages = {page.stem for page in DOCS.glob("*.rst") if page.stem != "index"} | {"differences"}
    assert pages <= entries, f"not in docs/index.rst: {sorted(pages - entries)}"


def test_the_documentation_builds_without_warnings(tmp_path: Path) -> None:
    """``make docs`` in miniature: Sphinx with warnings as errors (sphinx is a dev dependency)."""
    docs = Path(__file__).resolve().parent.parent / "docs"
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(docs), str(tmp_path)]
    build = subprocess.run(command, capture_output=True, text=True, check=False)  # its own warning filters
    assert build.returncode == 0, build.stderr
