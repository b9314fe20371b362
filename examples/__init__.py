"""Runnable examples of backo applications (``python -m examples.quickstart.app``)."""
