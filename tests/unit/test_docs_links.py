"""The user docs: every relative link resolves (file and heading), and no page cites tracker numbers."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
TRACKER = re.compile(r"\bissues?\s*#?\d+\b|(?<![\w&/])#\d+\b", re.IGNORECASE)


def _prose(page: Path) -> str:
    """Return the page without fenced code blocks (their brackets are code, not links)."""
    return re.sub(r"^```.*?^```", "", page.read_text(), flags=re.MULTILINE | re.DOTALL)


def anchors(page: Path) -> set[str]:
    """Return the heading anchors a markdown renderer makes for ``page`` (GitHub's rule)."""
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", _prose(page), flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


def broken_links(page: Path) -> list[str]:
    """Return the relative links of ``page`` whose file or heading does not exist."""
    broken = []
    for target in LINK.findall(_prose(page)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ... are not checked here
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target} (no such heading)")
    return broken


def test_docs_when_collected_then_readme_and_every_page_are_there() -> None:
    assert ROOT / "README.md" in PAGES and len(PAGES) > 5


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_in_a_page_resolves_to_a_file_and_heading(page: Path) -> None:
    assert broken_links(page) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_refers_to_tracker_numbers(page: Path) -> None:
    assert TRACKER.findall(page.read_text()) == []


def test_link_checker_when_given_a_dead_file_and_heading_then_reports_both(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n## Two words\n\n[a](missing.md) [b](#two-words) [c](#nowhere) [d](https://x.org)\n")

    assert broken_links(page) == ["missing.md (no such file)", "#nowhere (no such heading)"]
    assert TRACKER.findall("see issue 12 and #12, not color #1565c0 or step 12") == ["issue 12", "#12"]
