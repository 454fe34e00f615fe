"""The kind table is the one place a task kind is described: its rows are consistent with their request
models, and the routes, the OpenAPI document, the executor registry, the SDK and the CLI all follow it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from kinema.contract.kinds import KINDS, PREFIXES, KindSpec, MediaField, queued_kinds, spec_for
from kinema.contract.tasks import WATERMARK_KINDS
from kinema.contract.vocabulary import TaskKind
from kinema.jobs.registry import executor_path, get_executor
from kinema.settings import Settings

SPECS = list(KINDS.values())


def test_one_row_per_kind_with_unique_paths_and_names() -> None:
    assert set(KINDS) == set(TaskKind) and all(spec.kind is kind for kind, spec in KINDS.items())
    for attr in ("path", "sdk_name", "cli_name"):
        values = [getattr(spec, attr) for spec in SPECS]
        assert len(set(values)) == len(values), attr
    assert spec_for("avatar") is KINDS[TaskKind.AVATAR]
    with pytest.raises(KeyError, match="unknown task kind"):
        spec_for("no_such_kind")


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_media_and_reuse_fields_are_fields_of_the_request(spec: KindSpec) -> None:
    fields = spec.request.model_fields
    for media in spec.media:
        top, _, sub = media.path.partition("[].")
        assert top in fields, media.path
        if sub:  # a list of objects: the item model has the field
            items = [
                a for a in _args(fields[top].annotation) if isinstance(a, type) and issubclass(a, BaseModel)
            ]
            assert items and sub in items[0].model_fields, media.path
    for reuse in spec.reuse:
        assert reuse.field in fields
    inputs = [m.input for m in spec.media] + [r.input for r in spec.reuse]
    assert all(name.replace("{i}", "0").isidentifier() for name in inputs)


def _args(annotation: object) -> list[object]:
    from typing import get_args

    out: list[object] = []
    for arg in get_args(annotation):
        out += [arg, *_args(arg)]
    return out


def test_a_media_field_names_a_list_index_only_for_list_paths() -> None:
    MediaField("masks[].mask", "mask_{i}", "mask")
    with pytest.raises(ValueError, match="one list level"):
        MediaField("masks[].mask", "mask", "mask")
    with pytest.raises(ValueError, match="one list level"):
        MediaField("a[].b[].c", "x_{i}", "mask")


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_executors_and_cli_commands_import(spec: KindSpec) -> None:
    if spec.synchronous:
        assert spec.executor is None  # served inside the request
    else:
        assert executor_path(str(spec.kind), Settings()) == spec.executor
        assert callable(get_executor(str(spec.kind), Settings()))
    if spec.cli_module:
        assert callable(importlib.import_module(spec.cli_module).command)


def test_the_task_object_and_the_cli_follow_the_table() -> None:
    assert {str(s.kind) for s in SPECS if s.watermark} == WATERMARK_KINDS
    from kinema.cli.main import app

    help_text = CliRunner().invoke(app, ["--help"]).output
    assert all(spec.cli_name in help_text for spec in SPECS)
    tasks_help = CliRunner().invoke(app, ["tasks", "list", "--help"]).output
    assert " | ".join(KINDS) in " ".join(tasks_help.replace("│", " ").split())


def test_the_app_serves_every_kind_under_every_prefix(tmp_path: Path) -> None:
    from kinema.api.app import create_app

    app = create_app(Settings(data_dir=tmp_path, url_signing_secret="s"))
    paths = app.openapi()["paths"]
    for spec in SPECS:
        for path in spec.paths:
            create = paths[path]["post"]
            ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/" + spec.request.__name__) and create["summary"].endswith(spec.summary)
            if not spec.synchronous:
                assert "get" in paths[path + "/{task_id}"] and "post" in paths[path + "/{task_id}/cancel"]
    assert {p.split("/v1")[0] + "/v1" for s in SPECS for p in s.paths} == set(PREFIXES)
    assert len(queued_kinds()) == sum(not s.synchronous for s in SPECS)
