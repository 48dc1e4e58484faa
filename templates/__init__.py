"""Jinja templates, shipped inside the wheel."""
