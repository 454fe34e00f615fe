// One task followed live: status, task_progress, queue position, result players, downloads, callbacks.
// Polling (once a second while it runs) keeps the page working behind any proxy; the server's routes are
// the same ones a client uses: GET …/{id}, …/{id}/queue and …/{id}/callbacks.

import { el, formatTime } from "./dom.js";

const POLL_MS = 1000;
const CALLBACK_FOLLOW_S = 60;
const TERMINAL = new Set(["succeed", "failed"]);
const $ = (id) => document.getElementById(id);

// Every URL of a result entry: url, url_mp3, url_wav, watermark_url… ("Download", "Download mp3", …).
function downloadLinks(entry) {
  return Object.entries(entry)
    .filter(([name, value]) => /(^|_)url($|_)/.test(name) && typeof value === "string")
    .map(([name, value]) => {
      const what = name.replace(/_?url_?/, " ").trim();
      return el("a", { href: value, download: "", class: "download" }, what ? `Download ${what}` : "Download");
    });
}

function idLine(entry, group) {
  const label = group === "videos" ? "video id" : "audio id";
  const id = entry.id ?? entry.audio_id;
  return id ? el("p", { class: "note" }, `${label}: `, el("code", { class: "result-id" }, String(id))) : null;
}

function player(group, url) {
  if (group === "videos") return el("video", { src: url, controls: true, playsInline: true, preload: "metadata" });
  if (group === "audios") return el("audio", { src: url, controls: true, preload: "metadata" });
  return el("img", { src: url, alt: "result image" });
}

export function renderResult(task, box) {
  const result = task.task_result || {};
  const blocks = [];
  for (const group of ["videos", "audios", "images"]) {
    for (const entry of result[group] || []) {
      const url = entry.url || entry.url_mp3 || entry.url_wav;
      blocks.push(el("div", { class: `result-${group}` }, url ? player(group, url) : null, idLine(entry, group), downloadLinks(entry)));
    }
  }
  box.replaceChildren(...blocks);
}

function renderCallbacks(attempts) {
  const list = $("task-callbacks");
  const items = attempts.map((a) =>
    el(
      "li",
      { class: `cb-${a.state}` },
      `${formatTime(a.at)} · ${a.task_status || "?"} · attempt ${a.attempt} · `,
      a.status_code ? `HTTP ${a.status_code}` : a.error || "no answer",
      ` · ${a.duration_ms} ms · ${a.state}`,
    ),
  );
  list.replaceChildren(...(items.length ? items : [el("li", {}, "No callback_url, or nothing sent yet.")]));
}

function renderTask(task) {
  $("task-panel").hidden = false;
  $("task-id").textContent = task.task_id;
  const status = $("task-status");
  status.textContent = task.task_status;
  status.dataset.status = task.task_status;
  const progress = task.task_progress ?? (task.task_status === "succeed" ? 100 : 0);
  $("task-progress").value = progress;
  $("task-progress-text").textContent = `${progress} %`;
  $("task-message").textContent = task.task_status_msg || "";
  $("task-json").textContent = JSON.stringify(task, null, 2);
  renderResult(task, $("task-result"));
}

// Follows one task until it ends; a newer call to follow() stops the older one.
export class TaskView {
  constructor(api, onResult) {
    this.api = api;
    this.onResult = onResult;
    this.generation = 0;
  }

  show(kind, task) {
    this.generation += 1;
    renderTask(task);
    $("task-callbacks-box").hidden = kind.synchronous;
    $("task-queue").textContent = "";
    if (TERMINAL.has(task.task_status)) {
      this.onResult(kind, task);
      if (!kind.synchronous) this.followCallbacks(kind, task, this.generation);
    } else {
      this.poll(kind, task.task_id, this.generation);
    }
  }

  async refreshCallbacks(kind, taskId) {
    const reply = await this.api.get(`${kind.path}/${taskId}/callbacks`);
    if (reply.code === 0) renderCallbacks(reply.data);
    return reply.code === 0 ? reply.data : [];
  }

  // The callback of the final status is sent after the task ends: keep the log fresh until it is
  // delivered or given up (at most CALLBACK_FOLLOW_S), or until it is clear there is no callback_url.
  async followCallbacks(kind, task, generation) {
    for (let i = 0; i < CALLBACK_FOLLOW_S && generation === this.generation; i += 1) {
      const attempts = await this.refreshCallbacks(kind, task.task_id);
      const last = attempts[attempts.length - 1];
      if (!last && i >= 2) return;
      if (last && last.task_status === task.task_status && last.state !== "pending") return;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  async poll(kind, taskId, generation) {
    while (generation === this.generation) {
      const [reply, queue] = await Promise.all([
        this.api.get(`${kind.path}/${taskId}`),
        this.api.get(`${kind.path}/${taskId}/queue`),
      ]);
      if (generation !== this.generation) return;
      if (reply.code !== 0) {
        $("task-message").textContent = `${reply.code} · ${reply.message}`;
      } else {
        renderTask(reply.data);
        if (queue.code === 0) {
          const q = queue.data;
          $("task-queue").textContent = q.position
            ? `Queue position ${q.position} · ${q.depth} waiting · ${q.running} running`
            : `Not waiting · ${q.depth} waiting · ${q.running} running`;
        }
        await this.refreshCallbacks(kind, taskId);
        if (TERMINAL.has(reply.data.task_status)) {
          $("task-queue").textContent = "";
          this.onResult(kind, reply.data);
          await this.followCallbacks(kind, reply.data, generation);
          return;
        }
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
