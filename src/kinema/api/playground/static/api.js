// The API as the page calls it: every reply is Kling's envelope {code, message, request_id, data}.
// A failed network call becomes the same shape (code -1), so callers handle one kind of answer.

export class Api {
  constructor(prefix, keyInput) {
    this.prefix = prefix;
    this.keyInput = keyInput;
  }

  headers(json) {
    const headers = { Authorization: `Bearer ${this.keyInput.value.trim()}` };
    if (json) headers["Content-Type"] = "application/json";
    return headers;
  }

  async call(method, path, body) {
    const init = { method, headers: this.headers(body !== undefined) };
    if (body !== undefined) init.body = JSON.stringify(body);
    let response;
    try {
      response = await fetch(this.prefix + path, init);
    } catch (err) {
      return { code: -1, message: `the server could not be reached (${err.message})`, data: null };
    }
    try {
      const reply = await response.json();
      return { ...reply, httpStatus: response.status };
    } catch {
      return { code: -1, message: `HTTP ${response.status} without a JSON reply`, data: null };
    }
  }

  get(path) {
    return this.call("GET", path);
  }

  post(path, body) {
    return this.call("POST", path, body);
  }
}

// "duration: must be from 3 to 15" -> {path: "duration", text: "must be from 3 to 15"}; no path -> null.
export function splitFieldMessage(message) {
  const match = /^([A-Za-z_][\w.[\]]*): (.*)$/s.exec(message || "");
  return match ? { path: match[1], text: match[2] } : null;
}
