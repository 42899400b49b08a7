// Renders the operations of /api/v1/openapi.json and lets a reader try each one with their key.
// No framework, no CDN, no inline script (the CSP forbids it).
(function () {
  "use strict";
  const root = document.getElementById("api-operations");
  if (!root) return;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(c));
    return node;
  }

  function resolve(spec, schema) {
    if (schema && schema.$ref) {
      const name = schema.$ref.split("/").pop();
      return spec.components.schemas[name] || {};
    }
    return schema || {};
  }

  function example(spec, schema, depth) {
    schema = resolve(spec, schema);
    if (depth > 3) return null;
    if (schema.example !== undefined) return schema.example;
    if (schema.default !== undefined) return schema.default;
    if (schema.enum) return schema.enum[0];
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    if (type === "object" || schema.properties) {
      const out = {};
      const required = schema.required || Object.keys(schema.properties || {}).slice(0, 4);
      required.forEach((name) => {
        out[name] = example(spec, (schema.properties || {})[name], depth + 1);
      });
      return out;
    }
    if (type === "array") return [];
    if (type === "integer" || type === "number") return schema.minimum || 1;
    if (type === "boolean") return false;
    if (schema.format === "date") return new Date(Date.now() + 14 * 864e5).toISOString().slice(0, 10);
    return "";
  }

  function operation(spec, path, method, op) {
    const params = (op.parameters || []).concat(
      (path.match(/{[^}]+}/g) || []).map((p) => ({ name: p.slice(1, -1), in: "path", required: true }))
    );
    const seen = new Set();
    const fields = [];
    const inputs = {};
    params.forEach((p) => {
      const key = p.in + ":" + p.name;
      if (seen.has(key)) return;
      seen.add(key);
      const id = "f-" + method + path.replace(/\W/g, "-") + "-" + p.name;
      const input = el("input", { id: id, name: p.name, size: "30" });
      inputs[key] = input;
      fields.push(el("label", { for: id, text: p.name + " (" + p.in + (p.required ? ", required" : "") + ") " }));
      fields.push(input);
      fields.push(el("br"));
    });
    let body = null;
    if (op.requestBody) {
      const schema = op.requestBody.content["application/json"].schema;
      body = el("textarea", { rows: "8", cols: "80", "aria-label": "JSON body" });
      body.value = JSON.stringify(example(spec, schema, 0), null, 2);
      fields.push(body);
    }
    const output = el("pre", { class: "api-output", "aria-live": "polite" });
    const send = el("button", { type: "button", text: "Send" });
    send.addEventListener("click", async () => {
      let url = path.replace(/{([^}]+)}/g, (_, n) => encodeURIComponent(inputs["path:" + n].value));
      const query = new URLSearchParams();
      Object.entries(inputs).forEach(([key, input]) => {
        if (key.startsWith("query:") && input.value) query.set(key.slice(6), input.value);
      });
      if ([...query].length) url += "?" + query.toString();
      const headers = { Accept: "application/json" };
      const key = document.getElementById("api-key").value.trim();
      if (key) headers.Authorization = "Bearer " + key;
      const init = { method: method.toUpperCase(), headers: headers };
      if (body) {
        headers["Content-Type"] = "application/json";
        init.body = body.value;
      }
      output.textContent = "…";
      try {
        const response = await fetch(url, init);
        const text = await response.text();
        let shown = text;
        try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
        output.textContent = response.status + " " + response.statusText + "\n" + shown;
      } catch (e) {
        output.textContent = String(e);
      }
    });
    const statuses = Object.keys(op.responses || {}).join(", ");
    return el("details", { class: "api-op" }, [
      el("summary", {}, [el("code", { text: method.toUpperCase() + " " + path }),
        document.createTextNode(" " + (op.summary || ""))]),
      el("p", { text: op.description || "" }),
      el("p", { text: "Responses: " + statuses }),
      el("form", {}, fields.concat([send])),
      output,
    ]);
  }

  fetch(root.dataset.specUrl, { headers: { Accept: "application/json" } })
    .then((r) => r.json())
    .then((spec) => {
      root.textContent = "";
      root.appendChild(el("p", { text: spec.info.description || "" }));
      Object.entries(spec.paths).forEach(([path, item]) => {
        Object.entries(item).forEach(([method, op]) => {
          if (["get", "post", "put", "patch", "delete"].includes(method)) {
            root.appendChild(operation(spec, path, method, op));
          }
        });
      });
    })
    .catch((e) => { root.textContent = "Could not load the OpenAPI document: " + e; });
})();
