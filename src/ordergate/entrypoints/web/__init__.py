"""The web blotter: static pages served by the API at /blotter/."""

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
