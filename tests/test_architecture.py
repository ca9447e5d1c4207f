"""The house rules (README, "How the code is laid out"), checked on the source so they cannot drift back.

Layers, bottom up:
    model, text, timeutil, exitcodes, connector, registry, config   the shared base
    triage/                      pure scoring (the trained model read without numpy) and rules grammar
    store/                       the only code that writes SQL; imports only the model
    report/, export.py           read-only SQL for reports and exports
    notify/                      delivering to targets (HTTP, SMTP, a command)
    app/                         every workflow, once; the only thing faces import
    cli/, tui/                   faces: parse input, draw output
    connectors/*                 import only the public connector API and the model
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
CORE = ROOT / "src" / "commwatch"
SDKS = {"tweepy", "praw", "prawcore", "httpx", "requests", "textual", "typer", "click", "rich", "atproto", "mastodon"}
# Where the core may use a third-party library: the CLI and TUI draw with Typer, Rich and
# Textual; notify/ posts webhooks with httpx. Platform SDKs belong to connectors only.
ALLOWED_IN = {"cli": {"typer", "click", "rich"}, "tui": {"textual", "rich"}, "notify": {"httpx"}}
CONNECTOR_API = {"commwatch", "commwatch.connector", "commwatch.model"}  # `commwatch` holds only __version__
BASE = {"commwatch", "commwatch.model", "commwatch.text", "commwatch.config", "commwatch.exitcodes", "commwatch.timeutil"}
FACES = ("cli", "tui")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(CORE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in CORE.rglob("*.py")}


def _runtime_nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (imports for type hints never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function; `from pkg import mod` counts as pkg.mod."""
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return found


def layer(module: str) -> str:
    """commwatch.app.verbs → app; commwatch.text → text."""
    return module.split(".")[1] if module.count(".") else ""


def own(path: Path) -> set[str]:
    return {m for m in imports(path) if m.startswith("commwatch.") or m == "commwatch"}


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
                    assert module in CONNECTOR_API, f"{path} imports {module}"
                elif top.startswith("commwatch_"):
                    assert top == package.name, f"{path} imports another connector: {module}"
                else:
                    assert top in sys.stdlib_module_names or top in SDKS, f"{path} imports {module}"


def test_faces_import_only_the_application_layer_and_the_base():
    for name, path in MODULES.items():
        face = layer(name)
        if face not in FACES:
            continue
        for module in own(path):
            if layer(module) in (face, "app") or module in BASE:
                continue
            if name == "commwatch.cli.tui_cmd" and module == "commwatch.tui.app":
                continue  # `commwatch tui` starts the other face
            raise AssertionError(f"{path} imports {module}: a face reaches the rest through commwatch.app")


def test_faces_never_reach_the_database_engine():
    """A face catches commwatch.app.errors.DatabaseFailure and interrupts through the session: which engine
    holds the inbox is the application layer's and the store's business."""
    for name, path in MODULES.items():
        if layer(name) in FACES:
            assert "sqlite3" not in imports(path), f"{path} imports sqlite3: use commwatch.app.errors.DatabaseFailure"


def test_the_application_layer_never_imports_a_face():
    for name, path in MODULES.items():
        if layer(name) == "app":
            bad = {m for m in own(path) if layer(m) in FACES}
            assert not bad, f"{path} imports {bad}"


def test_the_store_imports_only_the_model():
    for name, path in MODULES.items():
        if layer(name) == "store":
            bad = {m for m in own(path) if layer(m) != "store" and m != "commwatch.model"}
            assert not bad, f"{path} imports {bad}"


def test_triage_is_pure():
    for name, path in MODULES.items():
        if layer(name) == "triage":
            bad = {m for m in own(path) if layer(m) != "triage" and m not in ("commwatch.model", "commwatch.timeutil")}
            assert not bad, f"{path} imports {bad}"


def test_only_training_imports_numpy():
    """Scoring reads the model with the standard library: numpy (and its import time) is for
    `triage train`, `triage eval` and the training script only."""
    for name, path in MODULES.items():
        if name != "commwatch.triage.learn":
            assert "numpy" not in imports(path), f"{path} imports numpy"


def test_reports_read_and_never_reach_up():
    for name, path in MODULES.items():
        if layer(name) in ("report", "export"):
            bad = {m for m in own(path) if layer(m) in ("app", *FACES)}
            assert not bad, f"{path} imports {bad}"


def test_sql_runs_only_in_the_store_reports_and_export():
    allowed = {"store", "report", "export"}
    for name, path in MODULES.items():
        if layer(name) in allowed:
            continue
        assert ".execute(" not in path.read_text() and ".executemany(" not in path.read_text(), (
            f"{path} runs SQL: move the query into commwatch.store"
        )


def test_one_save_path():
    """A mention enters the store only through app/ingest.py (sync, import and the demo alike)."""
    for name, path in MODULES.items():
        if layer(name) == "store" or name == "commwatch.app.ingest":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                called = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                assert called not in ("save_page", "upsert_mentions"), f"{path} stores mentions itself"


def test_no_import_cycles():
    graph = {}
    for name, path in MODULES.items():
        edges = set()
        for module in own(path):
            if module in MODULES:
                edges.add(module)
            parent = module.rsplit(".", 1)[0]
            while parent != "commwatch" and parent in MODULES and parent != name:  # importing a.b runs a/__init__
                edges.add(parent)
                parent = parent.rsplit(".", 1)[0]
        graph[name] = edges - {name}
    cycles = _cycles(graph)
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_postgresql_is_loaded_only_for_a_postgresql_store():
    """psycopg is imported by commwatch.store.pg alone, and that package only by the store, lazily:
    SQLite users never load it (a command on SQLite is no slower for PostgreSQL's existence)."""
    for name, path in MODULES.items():
        if not name.startswith("commwatch.store.pg"):
            assert "psycopg" not in imports(path), f"{path} imports psycopg: only commwatch.store.pg may"
        if layer(name) != "store":
            bad = {m for m in own(path) if m.startswith("commwatch.store.pg")}
            assert not bad, f"{path} imports {bad}: open a PostgreSQL store through commwatch.store.db.open_store"
    top_level = {node.module for node in ast.parse(MODULES["commwatch.store.db"].read_text()).body
                 if isinstance(node, ast.ImportFrom)}  # fmt: skip
    assert not any(m and m.startswith("commwatch.store.pg") for m in top_level), "store.db must import store.pg lazily"


def test_a_sqlite_command_never_loads_psycopg(tmp_path):
    import subprocess

    probe = ("import atexit, sys\n"
             "atexit.register(lambda: print('psycopg' in sys.modules, file=sys.stderr))\n"
             "from commwatch.cli.main import run\nsys.argv = ['commwatch', '--db', sys.argv[1], 'inbox', '--json']\nrun()\n")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "x.db")], capture_output=True, text=True,
                          cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})  # fmt: skip
    assert done.stderr.strip().splitlines()[-1] == "False", done.stderr
