// The account's tasks, newest first, filtered by kind and status. Each queued kind has its own list route
// (GET <kind path>?pageSize=); "all kinds" merges them. The synchronous kinds (TTS) have no list route.

import { el, formatTime } from "./dom.js";

const $ = (id) => document.getElementById(id);

export class TaskList {
  constructor(api, description, onOpen, onResults) {
    this.api = api;
    this.kinds = description.kinds.filter((k) => !k.synchronous);
    this.pageSize = Math.min(30, description.page_size_max);
    this.onOpen = onOpen;
    this.onResults = onResults;
    const kindFilter = $("filter-kind");
    kindFilter.replaceChildren(el("option", { value: "" }, "all kinds"), ...this.kinds.map((k) => el("option", { value: k.kind }, k.kind)));
    $("filter-status").replaceChildren(el("option", { value: "" }, "any status"), ...description.statuses.map((s) => el("option", { value: s }, s)));
    for (const id of ["filter-kind", "filter-status"]) $(id).addEventListener("change", () => this.refresh());
    $("refresh").addEventListener("click", () => this.refresh());
  }

  async refresh() {
    const wanted = $("filter-kind").value;
    const status = $("filter-status").value;
    const kinds = this.kinds.filter((k) => !wanted || k.kind === wanted);
    const replies = await Promise.all(kinds.map((k) => this.api.get(`${k.path}?pageSize=${this.pageSize}`)));
    const failed = replies.find((r) => r.code !== 0);
    $("list-error").textContent = failed ? `${failed.code} · ${failed.message}` : "";
    const rows = [];
    replies.forEach((reply, i) => {
      for (const task of reply.code === 0 ? reply.data : []) rows.push({ kind: kinds[i], task });
    });
    this.onResults(rows);
    rows.sort((a, b) => b.task.created_at - a.task.created_at);
    const shown = rows.filter((r) => !status || r.task.task_status === status);
    $("task-list").tBodies[0].replaceChildren(...shown.map((row) => this.row(row)));
  }

  row({ kind, task }) {
    const open = el("button", { type: "button", class: "link", onclick: () => this.onOpen(kind, task) }, task.task_id);
    return el(
      "tr",
      { "data-status": task.task_status },
      el("td", {}, formatTime(task.created_at)),
      el("td", {}, kind.kind),
      el("td", {}, open),
      el("td", {}, el("span", { class: "status", "data-status": task.task_status }, task.task_status)),
      el("td", {}, `${task.task_progress ?? 0} %`),
    );
  }
}
