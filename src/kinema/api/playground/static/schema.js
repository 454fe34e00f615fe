// JSON-schema helpers for the request models pydantic describes: optional fields are
// {anyOf: [X, {type: "null"}]} with the description, enum and bounds beside anyOf, and nested models are
// $refs into $defs. resolve() flattens both so the form code sees one plain schema per field.

export function resolve(schema, defs) {
  let current = schema || {};
  if (current.anyOf) {
    const { anyOf, ...outer } = current;
    const real = anyOf.filter((option) => option.type !== "null");
    if (real.length === 1) current = { ...resolve(real[0], defs), ...outer, nullable: true };
  }
  if (current.$ref) {
    const { $ref, ...outer } = current;
    current = { ...resolve(defs[$ref.split("/").pop()], defs), ...outer };
  }
  return current;
}

// What control a field gets. Media and reuse fields are strings the description marks; arrays whose items
// hold media get one sub-form per item (so every media field has its upload), other arrays a JSON editor.
export function controlFor(schema, schemaPath, rules) {
  if (rules.media.has(schemaPath)) return "media";
  if (rules.reuse.has(schemaPath)) return "reuse";
  if (schema.enum) return "enum";
  if (schema.type === "boolean") return "boolean";
  if (schema.type === "number" || schema.type === "integer") return "number";
  if (schema.type === "object" && schema.properties) return "object";
  if (schema.type === "array") {
    const prefix = `${schemaPath}[].`;
    return [...rules.media.keys()].some((p) => p.startsWith(prefix)) ? "list" : "json";
  }
  if (schema.type === "string") return "text";
  return "json";
}

// Remove empty values: a form leaves out what the user did not set, as a hand-written request would.
export function prune(value) {
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, prune(v)])
      .filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value === "" ? undefined : value;
}

// A value of the schema's shape ([{"x": 0, "y": 0}]): the JSON editor's placeholder.
export function example(schema, defs, depth = 0) {
  const s = resolve(schema, defs);
  if (depth > 4) return null;
  if (s.enum) return s.enum[0];
  if (s.type === "array") return [example(s.items, defs, depth + 1)];
  if (s.type === "object") {
    return Object.fromEntries(Object.entries(s.properties || {}).map(([k, v]) => [k, example(v, defs, depth + 1)]));
  }
  if (s.type === "number" || s.type === "integer") return s.minimum ?? 0;
  if (s.type === "boolean") return false;
  return s.type === "string" ? "" : null;
}
