// The playground's entry point: load the description, make a tab per kind, submit, follow, list.

import { Api, splitFieldMessage } from "./api.js";
import { el } from "./dom.js";
import { buildForm, clearErrors, FieldError, showFieldError } from "./form.js";
import { TaskList } from "./list.js";
import { TaskView } from "./task.js";

const $ = (id) => document.getElementById(id);
const KEY_STORE = "kinema-playground-key";
const results = { audio: new Set(), video: new Set() };

function rememberResults(task) {
  const result = task.task_result || {};
  for (const entry of result.videos || []) if (entry.id) results.video.add(String(entry.id));
  for (const entry of result.audios || []) if (entry.id) results.audio.add(String(entry.id));
  for (const [role, ids] of Object.entries(results)) {
    let list = document.getElementById(`results-${role}`);
    if (!list) document.body.append((list = el("datalist", { id: `results-${role}` })));
    list.replaceChildren(...[...ids].map((id) => el("option", { value: id })));
  }
}

function setUpKey(description) {
  const input = $("api-key");
  if (description.dev_key) {
    input.value = description.dev_key;
    $("key-note").textContent = "development key (shown to this machine only)";
  } else {
    input.value = localStorage.getItem(KEY_STORE) || "";
    $("key-note").textContent = "kept in this browser only";
    input.addEventListener("change", () => localStorage.setItem(KEY_STORE, input.value.trim()));
  }
}

function showError(reply) {
  const text = `${reply.code} · ${reply.message}`;
  const field = splitFieldMessage(reply.message);
  if (field && showFieldError($("fields"), field.path, `${reply.code} · ${field.text}`)) return;
  $("form-error").textContent = text;
}

async function main() {
  const response = await fetch("/playground/description", { cache: "no-store" });
  const reply = await response.json();
  if (reply.code !== 0) throw new Error(`${reply.code} · ${reply.message}`);
  const description = reply.data;
  setUpKey(description);
  const api = new Api(description.prefix, $("api-key"));
  let list = null;
  const view = new TaskView(api, (kind, task) => {
    rememberResults(task);
    list?.refresh();
  });
  list = new TaskList(api, description, (kind, task) => view.show(kind, task), (rows) => rows.forEach((r) => rememberResults(r.task)));
  rememberResults({});

  let current = null;
  const select = (kind) => {
    document.querySelectorAll("#kinds [role=tab]").forEach((tab) => tab.setAttribute("aria-selected", String(tab.dataset.kind === kind.kind)));
    $("form-title").textContent = kind.kind;
    $("form-summary").textContent = kind.summary + (kind.synchronous ? " — answered at once." : "");
    $("form-error").textContent = "";
    current = { kind, form: buildForm($("fields"), kind) };
    if (location.hash !== `#${kind.kind}`) history.replaceState(null, "", `#${kind.kind}`);
  };
  $("kinds").replaceChildren(
    ...description.kinds.map((kind) => el("button", { type: "button", role: "tab", "data-kind": kind.kind, onclick: () => select(kind) }, kind.kind)),
  );
  const fromHash = () => description.kinds.find((k) => `#${k.kind}` === location.hash);
  select(fromHash() || description.kinds[0]);
  window.addEventListener("hashchange", () => {
    const kind = fromHash();
    if (kind && kind !== current.kind) select(kind);
  });

  $("task-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { kind, form } = current;
    clearErrors($("fields"));
    $("form-error").textContent = "";
    const button = $("submit");
    button.disabled = true;
    try {
      const body = await form.collect();
      const reply = await api.post(kind.path, body);
      if (reply.code !== 0) showError(reply);
      else view.show(kind, reply.data);
    } catch (err) {
      if (err instanceof FieldError) showFieldError($("fields"), err.path, err.message);
      else $("form-error").textContent = String(err);
    } finally {
      button.disabled = false;
    }
  });
  list.refresh();
}

main().catch((err) => {
  $("form-title").textContent = "The playground could not start";
  $("form-error").textContent = String(err);
});
