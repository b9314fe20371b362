"""Helpers shared by the test modules: store factories, backends and servers, reference models.

Fixtures live in ``conftest.py`` files; what a test module imports lives here.
"""
