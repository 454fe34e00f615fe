"""The playground in a real browser: Playwright drives Debian's Chromium (no browser download) against a real
``kinema serve``. A TTS, an avatar (uploaded portrait + the TTS audio id) and an image-to-video are made
through the page; each is followed to progress 100 and its result plays (the media element reports its
duration). A bad value comes back as the server's 1201, shown next to the field it names.

Firefox is not tested: Playwright drives only its own patched Firefox build, which cannot be downloaded
here. The page uses standard web APIs only (ES modules, fetch, FileReader, <video>/<audio>)."""

from __future__ import annotations

import base64
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.media import png_b64, portrait_b64
from tests.api.receiver import Receiver, start_receiver
from tests.api.server import Server

CHROMIUM = os.environ.get("KINEMA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(
        f"NO CHROMIUM AT {CHROMIUM}: the playground's browser tests did not run "
        "(apt-get install chromium, as scripts/setup.sh does, or set KINEMA_CHROMIUM)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402 -- only once chromium exists

TASK_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def page(server: Server) -> Iterator[Page]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        yield tab
        browser.close()
        assert not errors, errors


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    rec = start_receiver()
    yield rec
    rec.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("playground-inputs")
    out = {"portrait": folder / "portrait.jpg", "still": folder / "still.png"}
    out["portrait"].write_bytes(base64.b64decode(portrait_b64(512)))
    out["still"].write_bytes(base64.b64decode(png_b64(640, 360)))
    return out


def _open(page: Page, server: Server, kind: str) -> None:
    page.goto(f"{server.base}/#{kind}")
    expect(page.locator("#form-title")).to_have_text(kind)


def _field(path: str) -> str:
    return f'#fields .field[data-path="{path}"]'


def _submit(page: Page) -> str:
    """Click Create and wait until the task panel shows the new task; its id."""
    before = page.evaluate("document.getElementById('task-id').textContent")
    page.click("#submit")
    page.wait_for_function(
        "(before) => { const id = document.getElementById('task-id').textContent;"
        " return id && id !== before; }",
        arg=before,
        timeout=60_000,
    )
    return page.locator("#task-id").inner_text()


def _follow_to_the_end(page: Page) -> list[int]:
    """Progress values the page showed, sampled until the task ended; the task must have succeeded, and
    the queue line (GET …/queue) must have been shown while it ran."""
    page.evaluate("window.__seen = []; window.__queue = []")
    page.wait_for_function(
        "() => { const s = document.getElementById('task-status').textContent;"
        " window.__seen.push(Number(document.getElementById('task-progress').value));"
        " window.__queue.push(document.getElementById('task-queue').textContent);"
        " return s === 'succeed' || s === 'failed'; }",
        polling=200,
        timeout=TASK_TIMEOUT_MS,
    )
    seen: list[int] = page.evaluate("window.__seen")
    expect(page.locator("#task-status")).to_have_text("succeed", timeout=1000)
    seen.append(int(page.evaluate("document.getElementById('task-progress').value")))
    queue_lines: list[str] = page.evaluate("window.__queue")
    assert any(re.search(r"\d+ waiting · \d+ running", line) for line in queue_lines), queue_lines
    return seen


def _media_duration(page: Page, selector: str) -> float:
    page.wait_for_function(
        f"() => {{ const m = document.querySelector('{selector}'); return m && m.duration > 0; }}",
        timeout=30_000,
    )
    return float(page.evaluate(f"document.querySelector('{selector}').duration"))


def test_the_dev_key_is_filled_in_on_loopback(page: Page, server: Server) -> None:
    _open(page, server, "tts")
    expect(page.locator("#api-key")).to_have_value(server.key)


def test_a_validation_error_shows_next_to_its_field(page: Page, server: Server) -> None:
    _open(page, server, "tts")
    page.fill(f"{_field('text')} textarea", "Hello.")
    page.fill(f"{_field('voice_id')} input", "no_such_voice")
    page.select_option(f"{_field('voice_language')} select", "en")
    page.click("#submit")
    error = page.locator(f"{_field('voice_id')} > .error")
    expect(error).to_contain_text("1201")
    expect(error).to_contain_text("Voice id not found")
    expect(page.locator("#form-error")).to_be_empty()


def test_tts_then_avatar_through_the_page(page: Page, server: Server, files: dict[str, Path]) -> None:
    _open(page, server, "tts")
    page.fill(f"{_field('text')} textarea", "Hello there, and welcome to kinema, your own video studio.")
    page.fill(f"{_field('voice_id')} input", "oversea_male1")
    page.select_option(f"{_field('voice_language')} select", "en")
    _submit(page)
    expect(page.locator("#task-status")).to_have_text("succeed")  # synchronous: done in the reply
    expect(page.locator("#task-progress-text")).to_have_text("100 %")
    spoken = _media_duration(page, "#task-result audio")
    assert spoken >= 2.0
    audio_id = page.locator("#task-result .result-id").first.inner_text()

    _open(page, server, "avatar")
    page.set_input_files(f"{_field('image')} input[type=file]", files["portrait"])
    page.fill(f"{_field('audio_id')} input", audio_id)
    _submit(page)
    seen = _follow_to_the_end(page)
    assert seen[-1] == 100 and seen == sorted(seen), seen
    assert abs(_media_duration(page, "#task-result video") - spoken) < 0.3
    links = page.locator("#task-result a.download")
    assert "/files/" in (links.first.get_attribute("href") or "")


def test_image_to_video_with_a_callback_log_and_the_task_list(
    page: Page, server: Server, files: dict[str, Path], receiver: Receiver
) -> None:
    _open(page, server, "image2video")
    page.set_input_files(f"{_field('image')} input[type=file]", files["still"])
    page.select_option(f"{_field('model_name')} select", "kling-v3")  # 3 s clips: the shortest
    page.fill(f"{_field('duration')} input", "3")
    # a nested field first: kling-v3 has no camera control, and the server's 1201 names the object
    page.select_option(f"{_field('camera_control.type')} select", "simple")
    page.fill(f"{_field('camera_control.config.zoom')} input", "5")
    page.click("#submit")
    expect(page.locator(f"{_field('camera_control')} > .error")).to_contain_text(
        "1201 · kling-v3 does not support camera control"
    )
    page.select_option(f"{_field('camera_control.type')} select", "")
    page.fill(f"{_field('camera_control.config.zoom')} input", "")
    page.fill(f"{_field('prompt')} textarea", "slow zoom in")
    page.click("details.shared > summary")
    page.fill(f"{_field('callback_url')} input", receiver.url)
    task_id = _submit(page)
    expect(page.locator(f"{_field('camera_control')} > .error")).to_be_empty()
    seen = _follow_to_the_end(page)
    assert seen[-1] == 100, seen
    assert abs(_media_duration(page, "#task-result video") - 3.0) < 0.2
    page.click("#task-callbacks-box > summary")
    expect(page.locator("#task-callbacks li.cb-delivered").last).to_contain_text("succeed", timeout=15_000)

    page.select_option("#filter-kind", "image2video")
    page.select_option("#filter-status", "succeed")
    expect(page.locator("#task-list tbody tr", has_text=task_id)).to_have_count(1)
    page.select_option("#filter-status", "failed")
    expect(page.locator("#task-list tbody tr", has_text=task_id)).to_have_count(0)


def test_the_page_fits_a_phone(page: Page, server: Server) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        _open(page, server, "image2video")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
