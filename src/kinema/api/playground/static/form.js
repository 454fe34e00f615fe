// One form per task kind, generated from the kind's description (/playground/description): the request
// model's JSON schema gives the fields, their types, enums, bounds and help texts; the media and reuse
// rules say which strings are uploads/URLs and which name an earlier result. No kind is spelled out here.

import { el, formatBytes, uid } from "./dom.js";
import { controlFor, example, prune, resolve } from "./schema.js";

class FieldError extends Error {
  constructor(path, text) {
    super(text);
    this.path = path;
  }
}

function readBase64(file) {
  return new Promise((resolveRead, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolveRead(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function mediaHint(rule) {
  const parts = [rule.formats.join(", "), `≤ ${formatBytes(rule.max_bytes)}`];
  if (rule.duration_s) parts.push(`${rule.duration_s[0]}–${rule.duration_s[1]} s`);
  return `Upload (sent as base64) or an http(s) URL · ${parts.join(" · ")}`;
}

// Each builder returns {element, value}: value() is the field's JSON value, undefined when left empty.
const builders = {
  text(ctx, id) {
    const long = (ctx.schema.maxLength || 0) >= 500;
    const input = long ? el("textarea", { id, rows: 3 }) : el("input", { id, type: "text" });
    if (ctx.schema.default !== undefined && ctx.schema.default !== null) input.placeholder = ctx.schema.default;
    const suggestions = ctx.rules.suggestions[ctx.schemaPath];
    if (suggestions) {
      const list = el("datalist", { id: `${id}-list` }, suggestions.map((v) => el("option", { value: v })));
      input.setAttribute("list", list.id);
      return { element: [input, list], value: () => input.value || undefined };
    }
    return { element: input, value: () => input.value || undefined };
  },
  number(ctx, id) {
    const { schema } = ctx;
    const input = el("input", { id, type: "number", inputmode: "decimal" });
    input.step = schema.multipleOf ?? (schema.type === "integer" ? "1" : "any");
    if (schema.minimum !== undefined) input.min = schema.minimum;
    if (schema.maximum !== undefined) input.max = schema.maximum;
    return { element: input, value: () => (input.value === "" ? undefined : Number(input.value)) };
  },
  enum(ctx, id) {
    const select = el(
      "select",
      { id },
      el("option", { value: "" }, "(default)"),
      ctx.schema.enum.map((v) => el("option", { value: v }, String(v))),
    );
    return { element: select, value: () => select.value || undefined };
  },
  boolean(ctx, id) {
    const box = el("input", { id, type: "checkbox" });
    box.checked = ctx.schema.default === true;
    return { element: box, value: () => (box.checked ? true : ctx.schema.default === true ? false : undefined) };
  },
  reuse(ctx, id) {
    const rule = ctx.rules.reuse.get(ctx.schemaPath);
    const input = el("input", { id, type: "text", list: `results-${rule.role}`, autocomplete: "off" });
    input.placeholder = `id of an earlier ${rule.role} result`;
    return { element: input, value: () => input.value.trim() || undefined };
  },
  media(ctx, id) {
    const rule = ctx.rules.media.get(ctx.schemaPath);
    const file = el("input", { id, type: "file", accept: rule.accept, "data-role": "file" });
    const url = el("input", { type: "url", placeholder: "https://…", "aria-label": `${ctx.name} URL` });
    url.dataset.role = "url";
    const value = async () => (file.files.length ? readBase64(file.files[0]) : url.value.trim() || undefined);
    return { element: el("div", { class: "media" }, file, el("span", {}, "or"), url), value, hint: mediaHint(rule) };
  },
  json(ctx, id) {
    const area = el("textarea", { id, rows: 3, class: "json", spellcheck: "false" });
    area.placeholder = `JSON, e.g. ${JSON.stringify(example(ctx.schema, ctx.defs))}`;
    const value = () => {
      if (!area.value.trim()) return undefined;
      try {
        return JSON.parse(area.value);
      } catch {
        throw new FieldError(ctx.wirePath, "is not valid JSON");
      }
    };
    return { element: area, value };
  },
  object(ctx) {
    const required = new Set(ctx.schema.required || []);
    const children = Object.entries(ctx.schema.properties).map(([name, sub]) =>
      buildField({ ...ctx, name, raw: sub, schemaPath: `${ctx.schemaPath}.${name}`, wirePath: `${ctx.wirePath}.${name}`, required: required.has(name) }),
    );
    const value = async () => {
      const out = {};
      for (const child of children) out[child.name] = await child.value();
      return prune(out);
    };
    return { element: el("div", { class: "group" }, children.map((c) => c.element)), value, group: true };
  },
  list(ctx) {
    const items = [];
    const box = el("div", { class: "group list" });
    const itemSchema = resolve(ctx.schema.items, ctx.defs);
    const renumber = () =>
      items.forEach((item, i) =>
        item.element.querySelectorAll("[data-path]").forEach((node) => {
          node.dataset.path = node.dataset.path.replace(/\[\d+\]/, `[${i}]`);
        }),
      );
    const add = el("button", { type: "button", class: "small" }, `Add ${ctx.name} item`);
    add.addEventListener("click", () => {
      const i = items.length;
      if (ctx.schema.maxItems !== undefined && i >= ctx.schema.maxItems) return;
      const item = builders.object({ ...ctx, schema: itemSchema, schemaPath: `${ctx.schemaPath}[]`, wirePath: `${ctx.wirePath}[${i}]` });
      const remove = el("button", { type: "button", class: "small" }, "Remove");
      item.element.append(remove);
      remove.addEventListener("click", () => {
        items.splice(items.indexOf(item), 1);
        item.element.remove();
        renumber();
      });
      items.push(item);
      box.insertBefore(item.element, add);
    });
    box.append(add);
    const value = async () => prune(await Promise.all(items.map((item) => item.value())));
    return { element: box, value, group: true };
  },
};

function buildField(ctx) {
  const schema = resolve(ctx.raw, ctx.defs);
  const control = controlFor(schema, ctx.schemaPath, ctx.rules);
  const id = uid("f");
  const built = builders[control]({ ...ctx, schema }, id);
  const label = built.group ? el("span", { class: "label" }, ctx.name) : el("label", { for: id }, ctx.name);
  if (ctx.required) label.append(el("span", { class: "req", title: "required" }, " *"));
  const element = el(
    "div",
    { class: `field field-${control}`, "data-path": ctx.wirePath },
    label,
    built.element,
    el("small", { class: "hint" }, [built.hint, schema.description].filter(Boolean).join(" — ")),
    el("p", { class: "error", role: "alert" }),
  );
  return { name: ctx.name, element, value: built.value };
}

// Build the form of `kind` into `container`; collect() is the request body, errors shown by showError().
export function buildForm(container, kind) {
  const { schema } = kind;
  const rules = {
    media: new Map(kind.media.map((m) => [m.path, m])),
    reuse: new Map(kind.reuse.map((r) => [r.field, r])),
    suggestions: kind.suggestions || {},
  };
  const required = new Set(schema.required || []);
  const fields = Object.entries(schema.properties).map(([name, raw]) =>
    buildField({ name, raw, defs: schema.$defs || {}, rules, schemaPath: name, wirePath: name, required: required.has(name) }),
  );
  const shared = new Set(kind.shared_fields || []);
  const own = fields.filter((f) => !shared.has(f.name)).map((f) => f.element);
  const folded = fields.filter((f) => shared.has(f.name)).map((f) => f.element);
  const more = folded.length ? el("details", { class: "shared" }, el("summary", {}, "Callback and your own id"), folded) : null;
  container.replaceChildren(...own, ...(more ? [more] : []));
  return {
    async collect() {
      const body = {};
      for (const field of fields) body[field.name] = await field.value();
      return prune(body) || {};
    },
    FieldError,
  };
}

// Show `text` under the field named by `path` ("camera_control.config.zoom", "dynamic_masks[0].mask"), or
// under its closest named parent; false when no field matches (the caller shows it above the form).
export function showFieldError(container, path, text) {
  let current = path;
  while (current) {
    const field = container.querySelector(`.field[data-path="${CSS.escape(current)}"]`);
    if (field) {
      field.classList.add("invalid");
      const fold = field.closest("details");
      if (fold) fold.open = true;
      field.querySelector(":scope > .error").textContent = text;
      field.scrollIntoView({ block: "center", behavior: "smooth" });
      return true;
    }
    current = current.replace(/(\[\d+\]|\.?[^.[\]]+)$/, "");
  }
  return false;
}

export function clearErrors(container) {
  container.querySelectorAll(".field.invalid").forEach((field) => {
    field.classList.remove("invalid");
    field.querySelector(":scope > .error").textContent = "";
  });
}

export { FieldError };
