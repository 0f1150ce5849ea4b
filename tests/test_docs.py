"""The documentation keeps up with the code: the README's set-up and size, its links, and every module named."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _modules() -> list[str]:
    paths = [ROOT / "app.py", *(ROOT / "views").glob("*.py"), *(ROOT / "ui").rglob("*.py"), *(ROOT / "kpidesign").rglob("*.py")]
    return sorted(p.relative_to(ROOT).as_posix() for p in paths)


def test_readme_opens_with_the_two_set_up_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None and README.index("```sh") < README.index("\n## ")
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


def test_readme_is_a_guide_not_a_spec() -> None:
    assert len(README) <= 15_000


def test_every_link_of_the_readme_and_docs_leads_to_a_file() -> None:
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#]+?)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")) or "…" in target:  # an example in the text
                continue
            assert (page.parent / target).exists(), f"{page.name} links to {target}, which does not exist"


def test_architecture_names_every_module() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [m for m in _modules() if f"`{m}`" not in doc]
    assert not missing, f"docs/architecture.md does not name: {missing}"


def test_architecture_names_no_module_that_is_gone() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:app|views/|ui/|kpidesign/)[\w/]*\.py)`", doc))
    assert named <= set(_modules()), f"named but gone: {sorted(named - set(_modules()))}"
