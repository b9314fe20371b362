"""Regression tests written from ../shared/spec/COMPAT-FIXES.md: what a backo 0.2.1 application relies on."""
