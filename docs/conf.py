"""Sphinx configuration of the backo documentation (``make docs``).

The build must stay free of warnings: ``make docs`` runs Sphinx with ``-W``. No network
is used: intersphinx is not enabled, and the API reference is generated from the
docstrings of the installed (editable) backo.
"""

import os
import sys

# Document the backo of this checkout, even if another one is installed.
sys.path.insert(0, os.path.abspath(".."))

from backo import __version__  # noqa: E402

project = "backo"
author = "the backo developers"
copyright = "the backo developers, MIT licence"  # noqa: A001 - Sphinx's name
release = __version__
version = ".".join(__version__.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    # Markdown pages: docs/differences.md (appended to by every engineer) and the
    # changelog are included as they are, not converted.
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# Code blocks are Python unless they say otherwise.
highlight_language = "python"

# Broken cross-references to names outside the documented API (stricto's classes,
# the standard library) are not errors: intersphinx is off (no network).
nitpicky = False

# -- autodoc ---------------------------------------------------------------------------

# backo's classes derive from stricto's (Dict, String, List): inheriting their docstrings
# would pull stricto's own text, and its reST warnings, into this documentation.
autodoc_inherit_docstrings = False
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
}
# Class docstrings only: constructor parameters are described in the class docstring.
autoclass_content = "class"

# -- HTML ------------------------------------------------------------------------------

html_theme = "alabaster"
html_title = f"backo {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "A low-code back office on Flask: Items, Collections, a REST API.",
    "fixed_sidebar": True,
}
