"""The pages of docs/roles/ ("a day at the desk"): one per role, each image they show is in
docs/screenshots/ and is one that ``make screenshots`` (scripts/screenshots.py) takes."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
ROLES = ROOT / "docs" / "roles"
PAGES = (
    "custodian-lawyer.md",
    "immigration-officer.md",
    "ausa.md",
    "clerk.md",
    "auditor.md",
    "administrator.md",
)


def test_each_role_has_its_page_listed_in_the_index() -> None:
    index = (ROLES / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        assert (ROLES / page).exists(), page
        assert f"({page})" in index, page


def test_every_image_of_the_role_pages_is_taken_by_make_screenshots() -> None:
    script = (ROOT / "scripts" / "screenshots.py").read_text(encoding="utf-8")
    taken = set(re.findall(r'"([a-z-]+)"\)', script)) | set(
        re.findall(r'_save\(page, out, "([a-z-]+)"\)', script)
    )
    for page in PAGES:
        text = (ROLES / page).read_text(encoding="utf-8")
        images = re.findall(r"\(\.\./screenshots/([a-z-]+)\.png\)", text)
        assert images, f"{page} shows no screenshot"
        for name in images:
            assert name in taken, f"{page}: {name}.png is not taken by scripts/screenshots.py"
            assert (ROOT / "docs" / "screenshots" / f"{name}.png").exists(), name
