"""The import rules of DESIGN.md, checked on the source."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
CORE = ROOT / "src" / "commwatch"
SDKS = {"tweepy", "praw", "prawcore", "httpx", "requests", "textual", "typer", "click", "rich"}
# Where the core may use a third-party library: the CLI and TUI draw with Typer, Rich and
# Textual; notify/ posts webhooks with httpx. Platform SDKs belong to connectors only.
ALLOWED_IN = {"cli": {"typer", "click", "rich"}, "tui": {"textual", "rich"}, "notify": {"httpx"}}
PUBLIC = {"commwatch.connector", "commwatch.model", "commwatch.registry"}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_core_imports_no_sdk_typer_or_textual():
    for path in CORE.rglob("*.py"):
        allowed = ALLOWED_IN.get(path.relative_to(CORE).parts[0], set())
        bad = {m for m in imports(path) if m.split(".")[0] in SDKS - allowed}
        assert not bad, f"{path} imports {bad}"


def test_core_never_imports_a_connector():
    for path in CORE.rglob("*.py"):
        bad = {m for m in imports(path) if m.startswith("commwatch_")}
        assert not bad, f"{path} imports {bad}"


def test_connectors_use_only_the_public_api():
    for package in (ROOT / "connectors").iterdir():
        for path in package.rglob("*.py"):
            for module in imports(path):
                top = module.split(".")[0]
                if top == "commwatch":
                    assert module in PUBLIC or module == "commwatch", f"{path} imports {module}"
                elif top.startswith("commwatch_"):
                    assert top == package.name, f"{path} imports another connector: {module}"
                else:
                    assert top in sys.stdlib_module_names or top in SDKS, f"{path} imports {module}"
