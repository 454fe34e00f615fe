"""Size limits for the code under src/kinema: modules of at most 450 lines, functions of at most 80.

A module or function past its limit fails this test unless it is on the allow-list below with its reason.
The lists can only shrink: an entry that is back within its limit (or gone) fails the test too, so it is
removed in the change that fixed it. A function's length runs from its ``def`` line to its last line
(docstring and nested functions included, decorators not); ``Class.method`` and ``outer.inner`` name it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "kinema"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80

LONG_MODULES: dict[str, str] = {
}

LONG_FUNCTIONS: dict[str, str] = {
    "api/routes/tasks.py:make_router": "a closure per route; to come from the kind table",
    "db/migrations/versions/0001_initial_schema.py:upgrade": "a migration is a frozen record: never edited",
    "engines/image2video/ambient.py:plan_ambient": "one branch per ambient effect; to split per effect",
    "engines/image2video/render.py:SceneRenderer.__init__": "builds sprites, plate, brushes, static region",
    "engines/video_to_audio/analysis.py:analyze_video": "decode, cuts, events, colour; to split in steps",
    "engines/video_to_audio/music.py:render_music": "every instrument in one loop; to split per voice",
    "engines/video_to_audio/soundtrack.py:render_soundtrack": "plans, renders and masters each stem in turn",
    "jobs/runner.py:run_task": "one except per outcome; to split into claim, execute, store, finish",
}


def _modules() -> Iterator[tuple[str, str]]:
    for path in sorted(SRC.rglob("*.py")):
        yield path.relative_to(SRC).as_posix(), path.read_text(encoding="utf-8")


def _functions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, int]]:
    """(qualified name, lines) of every function and method below ``node``, nested ones included."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            name = prefix + child.name
            assert child.end_lineno is not None
            yield name, child.end_lineno - child.lineno + 1
            yield from _functions(child, name + ".")
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, prefix + child.name + ".")
        else:
            yield from _functions(child, prefix)


def _module_lines() -> dict[str, int]:
    return {rel: len(text.splitlines()) for rel, text in _modules()}


def _function_lines() -> dict[str, int]:
    return {
        f"{rel}:{name}": lines for rel, text in _modules() for name, lines in _functions(ast.parse(text))
    }


def test_modules_are_at_most_450_lines() -> None:
    long = {m: n for m, n in _module_lines().items() if n > MAX_MODULE_LINES and m not in LONG_MODULES}
    assert not long, f"split these modules (or list them in LONG_MODULES with a reason): {long}"


def test_functions_are_at_most_80_lines() -> None:
    long = {f: n for f, n in _function_lines().items() if n > MAX_FUNCTION_LINES and f not in LONG_FUNCTIONS}
    assert not long, f"split these functions (or list them in LONG_FUNCTIONS with a reason): {long}"


def test_the_allow_lists_only_shrink() -> None:
    modules, functions = _module_lines(), _function_lines()
    stale = [m for m in LONG_MODULES if modules.get(m, 0) <= MAX_MODULE_LINES]
    stale += [f for f in LONG_FUNCTIONS if functions.get(f, 0) <= MAX_FUNCTION_LINES]
    assert not stale, f"within the limits now (or gone): remove from the allow-lists: {stale}"
    assert all(reason.strip() for reason in [*LONG_MODULES.values(), *LONG_FUNCTIONS.values()])
