"""import-linter contract types of backo's own (``[tool.importlinter]`` in ``pyproject.toml``).

``LegacyPathsContract`` checks that no module of the package imports one of backo 0.2.1's
module paths. Those paths (``backo.item``, ``backo.db_mongo_connector``...) are
``sys.modules`` entries made by :func:`backo._legacy.install`, not files, so the import graph
that import-linter builds cannot see them and a ``forbidden`` contract refuses them as
unknown modules. This contract reads the table itself (``LEGACY_MODULES``: always in step
with it) and scans each module's ``import`` statements, relative ones resolved, and
``from backo import item`` counted as importing ``backo.item``.

``AcyclicContract`` checks that no module of the package imports, directly or through
others, a module that imports it back: "no import cycle in backo" (imports inside functions
count, as they are edges all the same).
"""

import ast
import importlib
import importlib.util
from pathlib import Path

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


def _imported_paths(module: str, source: str, is_package: bool) -> list[tuple[str, int]]:
    """Every module path an ``import`` statement of ``module`` names, with its line number."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            found.append((base, node.lineno))
            found.extend((f"{base}.{alias.name}", node.lineno) for alias in node.names)
    return found


class LegacyPathsContract(Contract):
    """No module under ``source_package`` imports a path of the ``table`` (``module:NAME``)."""

    source_package = fields.StringField()
    table = fields.StringField()

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        table_module, _, table_name = str(self.table).partition(":")
        legacy = set(getattr(importlib.import_module(table_module), table_name))
        source = str(self.source_package)
        violations: list[str] = []
        for module in sorted(graph.find_descendants(source) | {source}):
            spec = importlib.util.find_spec(module)
            if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
                continue
            text = Path(spec.origin).read_text(encoding="utf-8")
            seen: set[int] = set()  # one report per statement
            for path, line in _imported_paths(module, text, spec.submodule_search_locations is not None):
                if line not in seen and (path in legacy or any(path.startswith(f"{old}.") for old in legacy)):
                    seen.add(line)
                    violations.append(f"{module}:{line} imports {path}")
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            output.print_error(violation, bold=False)
            output.new_line()


class AcyclicContract(Contract):
    """No import cycle among the modules of ``source_package`` (the package itself included)."""

    source_package = fields.StringField()

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        source = str(self.source_package)
        inside = graph.find_descendants(source) | {source}
        cycles: list[str] = []
        seen: set[frozenset[str]] = set()
        for module in sorted(inside):
            for imported in sorted(graph.find_modules_directly_imported_by(module) & inside):
                pair = frozenset((module, imported))
                if pair in seen or imported == module:
                    continue
                chain = graph.find_shortest_chain(importer=imported, imported=module)
                if chain is not None:
                    seen.add(pair)
                    cycles.append(" -> ".join((module, *chain)))
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error(cycle, bold=False)
            output.new_line()
