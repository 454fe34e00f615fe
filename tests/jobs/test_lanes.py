"""Lanes: a task a generative pipeline runs is GPU work on its own queue, claimed only by a GPU worker; the
decision is taken at create (jobs/lanes.py) with the same test the worker uses to pick the pipeline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kinema.contract.limits import Limits
from kinema.contract.requests import Image2VideoCreate
from kinema.contract.vocabulary import Lane
from kinema.jobs import service
from kinema.jobs.lanes import lane_for
from kinema.jobs.reaper import reap_once
from kinema.jobs.runner import run_task
from kinema.queue import pending_count
from kinema.runtime import Runtime
from tests.api.media import png_b64
from tests.engines.generative.tiny import fake_folder
from tests.support.db import make_account, runtime
from tests.support.doorbell import RecordingDoorbell


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    folder = fake_folder(tmp_path / "wan-i2v")
    yield from runtime(tmp_path, "sqlite", models={"kling-v2-6": str(folder), "kling-v1": str(folder)})


def _i2v(**fields: object) -> Image2VideoCreate:
    body = {"image": png_b64(400, 300), "model_name": "kling-v2-6", **fields}
    return Image2VideoCreate.model_validate(body, context={"limits": Limits()})


def test_the_lane_follows_the_routing_decision(rt: Runtime) -> None:
    assert lane_for(rt, "image2video", _i2v()) == Lane.GPU
    assert lane_for(rt, "image2video", _i2v(model_name="kling-v1-6")) == Lane.CPU  # no folder: CPU engine
    cpu_policy = replace(rt, settings=rt.settings.model_copy(update={"generative_unsupported": "cpu"}))
    masked = _i2v(model_name="kling-v1", static_mask=png_b64(400, 300))
    assert lane_for(cpu_policy, "image2video", masked) == Lane.CPU  # routed to the engine with the brush
    upstream = {"upstream_url": "http://127.0.0.1:9", "upstream_routes": "kling-v2-6"}
    gateway = replace(rt, settings=rt.settings.model_copy(update=upstream))
    assert lane_for(gateway, "image2video", _i2v()) == Lane.CPU  # the gateway only waits on the network


def test_a_gpu_task_rings_its_own_queue_and_only_a_gpu_worker_claims_it(rt: Runtime) -> None:
    acct = make_account(rt)
    bell = RecordingDoorbell()
    task = service.create_task(
        replace(rt, doorbell=bell), account_id=acct, kind="image2video", params={}, inputs={}, lane=Lane.GPU
    )
    assert bell.lanes == ["gpu"]
    assert run_task(rt, task.id, "host:1", Lane.CPU) == "dropped"  # a CPU worker leaves it alone
    assert run_task(rt, task.id, "host:1", Lane.GPU) != "dropped"  # claimed (then failed: no image)


def test_lost_doorbells_are_rung_on_the_tasks_lane(rt: Runtime) -> None:
    acct = make_account(rt)
    quiet = replace(rt, doorbell=RecordingDoorbell(broken=True))  # the create's own rings are lost
    service.create_task(quiet, account_id=acct, kind="image2video", params={}, inputs={}, lane=Lane.GPU)
    service.create_task(quiet, account_id=acct, kind="avatar", params={}, inputs={})
    time.sleep(3.2)  # older than the reaper's doorbell grace
    assert reap_once(rt) == 2  # one ring on each lane's queue
    assert pending_count(rt.settings, Lane.GPU) == 1 and pending_count(rt.settings, Lane.CPU) == 1
