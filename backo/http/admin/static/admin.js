/* backo admin UI: one hand-written script, no framework, no build step.
 *
 * It draws a back office from the application's own REST API and nothing else:
 *   GET  {api}/_meta?_rights=evaluated            collections, schemas, rights for this user
 *   GET  {api}/_meta?_rights=evaluated&_collection=c&_id=id   the same, for one stored item
 *   GET  {api}/{c}?filters&_page&_skip            lists      GET {api}/{c}/_selections/{s}  saved views
 *   GET/POST/PUT/DELETE {api}/{c}[/{id}]          items      POST {api}/{c}/_check          live validation
 *   POST {api}/{c}/_actions/{a}/{id}              actions    GET  {api}/{c}/{id}/{path}     file download
 * Rights are the API's: what may not be read is not drawn, what may not be modified is
 * read-only, buttons that would be refused are not offered; the API still decides.
 * DOM is built with textContent only (never innerHTML), so no data can inject markup.
 */
(function () {
  "use strict";

  var body = document.body;
  var API = body.dataset.api;
  var AUTH = body.dataset.auth === "token";
  var TOKEN_KEY = "backo-admin-token:" + API;
  var view = document.getElementById("view");
  var notice = document.getElementById("notice");
  var SCALARS = ["string", "choice", "int", "float", "bool", "datetime"];
  var NULL_ID = "NULL_ID";
  var pendingNotice = null;
  var openapi = null;

  // --- DOM ------------------------------------------------------------------------------

  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), value);
      else if (key === "value") el.value = value;
      else if (key === "checked") el.checked = !!value;
      else el.setAttribute(key, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) return child.forEach(function (c) { append(el, c); });
    el.append(child instanceof Node ? child : String(child));
  }

  /* Replace what #view shows (null children are skipped). */
  function show() {
    var children = Array.prototype.filter.call(arguments, function (c) { return c !== null && c !== undefined && c !== false; });
    view.replaceChildren.apply(view, children);
  }

  function idFor(prefix, path) {
    return prefix + path.join("-").replace(/[^A-Za-z0-9_-]/g, "_");
  }

  // --- the REST API ---------------------------------------------------------------------

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  }

  function api(method, path, options) {
    options = options || {};
    var headers = {};
    if (AUTH && token()) headers.Authorization = "Bearer " + token();
    var payload;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(options.json);
    } else if (options.form) {
      payload = options.form; // the browser writes the multipart boundary
    }
    var url = API + path + (options.query ? "?" + options.query : "");
    return fetch(url, { method: method, headers: headers, body: payload, credentials: "same-origin" }).then(
      function (response) {
        if (options.blob && response.ok) {
          return response.blob().then(function (blob) { return { ok: true, status: response.status, blob: blob }; });
        }
        return response.text().then(function (text) {
          var data = null;
          try { data = JSON.parse(text); } catch (e) { data = null; }
          return { ok: response.ok, status: response.status, data: data, text: text };
        });
      },
      function () { return { ok: false, status: 0, data: null, text: "The server cannot be reached." }; }
    );
  }

  var STATUS_PREFIX = { 401: "Not signed in: ", 403: "Not allowed: ", 404: "Not found: ", 413: "Too large: ", 500: "Refused: " };

  /* An API error as {path, message, text}: the class wrapper (TypeError("...")) removed, the
   * field path ($.name) split off, and never an HTML page or a traceback. */
  function describe(res, raw) {
    var message = raw;
    if (message === undefined) {
      if (res.data && typeof res.data === "object" && !Array.isArray(res.data)) {
        message = res.data.message || res.data.error || JSON.stringify(res.data);
      } else {
        message = res.text || "";
      }
    }
    message = String(message).trim();
    if (/^</.test(message) || /Traceback \(most recent call last\)/.test(message)) {
      message = "the server could not answer this request (HTTP " + res.status + ")";
    }
    var wrapped = message.match(/^[A-Za-z]+\((?:[A-Za-z]+\()?"([\s\S]*)"\)+$/);
    if (wrapped) message = wrapped[1];
    if (message.length > 500) message = message.slice(0, 500) + "…";
    var path = null;
    var located = message.match(/^(\$[^\s:]*): ([\s\S]*)$/);
    if (located) { path = located[1]; message = located[2]; }
    if (!message) message = "HTTP " + res.status;
    var prefix = raw === undefined ? STATUS_PREFIX[res.status] || "" : "";
    return { path: path, message: message, text: prefix + (path ? path + ": " : "") + message };
  }

  function loadMeta(collection, id) {
    var query = "_rights=evaluated";
    if (collection) query += "&_collection=" + encodeURIComponent(collection) + "&_id=" + encodeURIComponent(id);
    return api("GET", "/_meta", { query: query });
  }

  function loadOpenapi() {
    if (openapi) return Promise.resolve(openapi);
    return api("GET", "/openapi").then(function (res) {
      openapi = res.ok && res.data ? res.data : {};
      return openapi;
    });
  }

  /* Tell whether the OpenAPI document gives the operation a query parameter `name`. */
  function hasParameter(doc, path, method, name) {
    var operation = ((doc.paths || {})[path] || {})[method];
    return !!(operation && (operation.parameters || []).some(function (p) { return p && p.name === name; }));
  }

  // --- schemas and rights ---------------------------------------------------------------

  function kind(node) {
    var types = node.types || [];
    if (types[0] === "Ref") return "ref";
    if (types[0] === "RefsList") return "refs";
    if (types.indexOf("File") >= 0 || types[0] === "BlobFile") return "file";
    if (types.indexOf("Bool") >= 0) return "bool";
    if (types.indexOf("Int") >= 0) return "int";
    if (types.indexOf("Float") >= 0) return "float";
    if (types.indexOf("Datetime") >= 0) return "datetime";
    if (types.indexOf("List") >= 0) {
      return node.sub_type && SCALARS.indexOf(kind(node.sub_type)) >= 0 && !node.sub_type.union ? "list" : "json";
    }
    if (types.indexOf("FreeDict") >= 0) return "json";
    if (types.indexOf("Dict") >= 0 && node.sub_scheme) return "dict";
    if (types.indexOf("String") >= 0) return node.union ? "choice" : "string";
    return "json";
  }

  function readable(node) {
    return node.exists !== false && !(node.rights && node.rights.read === false);
  }

  function modifiable(node) {
    return !(node.rights && node.rights.modify === false);
  }

  function fields(collectionMeta) {
    var scheme = (collectionMeta.item && collectionMeta.item.sub_scheme) || {};
    return Object.keys(scheme)
      .filter(function (key) { return key.charAt(0) !== "_" && readable(scheme[key]); })
      .map(function (key) { return { key: key, node: scheme[key] }; });
  }

  function labelField(collectionMeta) {
    var found = fields(collectionMeta).filter(function (f) { return kind(f.node) === "string"; })[0];
    return found ? found.key : null;
  }

  function labelOf(collectionMeta, item) {
    var key = collectionMeta && labelField(collectionMeta);
    return (key && item && item[key]) || (item && item._id) || "";
  }

  function collectionNamed(meta, name) {
    return (meta.collections || []).filter(function (c) { return c.name === name; })[0];
  }

  function allowed(rights, name) {
    return !(rights && rights[name] === false);
  }

  function escapeRegex(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function containsFilter(text) {
    return "(?i).*" + escapeRegex(text);
  }

  // --- notices and navigation -----------------------------------------------------------

  function showNotice(text, kindName) {
    notice.textContent = text;
    notice.className = "notice " + (kindName || "error");
    notice.hidden = !text;
  }

  function go(hash, message) {
    pendingNotice = message || null;
    if (location.hash === hash) route();
    else location.hash = hash;
  }

  function itemHash(collection, id) {
    return "#/c/" + encodeURIComponent(collection) + "/i/" + encodeURIComponent(id);
  }

  function listHash(collection, params) {
    var query = params ? params.toString() : "";
    return "#/c/" + encodeURIComponent(collection) + (query ? "?" + query : "");
  }

  function heading(text) {
    return h("h1", { tabindex: "-1", id: "page-title" }, text);
  }

  function renderNav(meta, current) {
    var list = document.querySelector("#nav ul");
    list.replaceChildren();
    (meta.collections || []).forEach(function (c) {
      if (!allowed(c.rights, "read")) return;
      list.append(h("li", {}, h("a", { href: listHash(c.name), "aria-current": c.name === current ? "page" : null }, c.name)));
    });
  }

  function route() {
    var hash = location.hash.slice(1) || "/";
    var cut = hash.indexOf("?");
    var path = cut >= 0 ? hash.slice(0, cut) : hash;
    var params = new URLSearchParams(cut >= 0 ? hash.slice(cut + 1) : "");
    var parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    showNotice(pendingNotice ? pendingNotice : "", "success");
    pendingNotice = null;
    view.setAttribute("aria-busy", "true");
    return loadMeta().then(function (res) {
      if (!res.ok) return renderFailure(res);
      var meta = res.data;
      renderNav(meta, parts[1]);
      var collection = parts[0] === "c" ? collectionNamed(meta, parts[1]) : null;
      if (!collection) return renderHome(meta, parts.length > 0);
      if (parts.length === 2) return renderList(meta, collection, params);
      if (parts[2] === "new") return renderCreate(meta, collection);
      if (parts[2] === "i" && parts[3]) return renderDetail(meta, collection, parts[3]);
      return renderHome(meta, true);
    }).then(function () {
      view.removeAttribute("aria-busy");
      var title = document.getElementById("page-title");
      if (title && document.activeElement !== document.getElementById("token")) title.focus();
    });
  }

  function renderFailure(res) {
    var problem = describe(res);
    var children = [heading(res.status === 401 ? "Sign in" : "The back office cannot be shown"), h("p", { class: "error" }, problem.text)];
    if (res.status === 401 && AUTH) {
      children.push(h("p", {}, "Enter your access token under “Access token” at the top of the page."));
      document.getElementById("auth-box").open = true;
      setTimeout(function () { document.getElementById("token").focus(); }, 0);
    }
    show.apply(null, children);
  }

  // --- home -----------------------------------------------------------------------------

  function renderHome(meta, unknown) {
    var items = (meta.collections || []).filter(function (c) { return allowed(c.rights, "read"); }).map(function (c) {
      var may = ["read", "create", "modify", "delete"].filter(function (r) { return c.rights[r] !== false; });
      return h("li", {}, h("a", { href: listHash(c.name) }, c.name), h("span", { class: "muted" }, " — you may " + (may.join(", ") || "nothing")));
    });
    show(
      heading(meta.name + " back office"),
      unknown ? h("p", { class: "error" }, "This page does not exist.") : null,
      items.length ? h("ul", { class: "collections" }, items) : h("p", {}, "No collection is readable for you.")
    );
  }

  // --- list -----------------------------------------------------------------------------

  var FILTERABLE = ["string", "choice", "int", "float", "datetime", "ref"];
  var OPERATORS = { ">=": "$gte", "<=": "$lte", "!=": "$ne", ">": "$gt", "<": "$lt", "=": "" };

  function apiQuery(collectionMeta, params) {
    var query = new URLSearchParams();
    fields(collectionMeta).forEach(function (f) {
      var value = (params.get("f." + f.key) || "").trim();
      if (!value) return;
      var k = kind(f.node);
      if (k === "string") return query.append(f.key + ".$re", containsFilter(value));
      if (k === "int" || k === "float") {
        var m = value.match(/^(>=|<=|!=|>|<|=)?\s*(.*)$/);
        var op = OPERATORS[m[1] || "="];
        return query.append(op ? f.key + "." + op : f.key, m[2]);
      }
      query.append(f.key, value);
    });
    ["_page", "_skip", "_sort"].forEach(function (name) { if (params.get(name)) query.set(name, params.get(name)); });
    if (!query.get("_page")) query.set("_page", "10");
    return query;
  }

  function cellText(node, value) {
    if (value === null || value === undefined) return "";
    var k = kind(node);
    if (k === "bool") return value ? "yes" : "no";
    if (k === "file") return value.filename || (value.size ? value.size + " bytes" : "");
    if (Array.isArray(value)) return value.join(", ");
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function renderList(meta, collection, params) {
    var selectionName = params.get("_sel") || "";
    var selection = (collection.selections || []).filter(function (s) { return s.name === selectionName && s.name !== "_all"; })[0];
    var path = selection ? "/" + collection.name + "/_selections/" + encodeURIComponent(selection.name) : "/" + collection.name;
    var query = apiQuery(collection, params);
    return Promise.all([api("GET", path, { query: query.toString() }), loadOpenapi()]).then(function (answers) {
      var res = answers[0];
      var sortable = hasParameter(answers[1], "/" + meta.name + "/" + collection.name, "get", "_sort");
      var children = [heading(collection.name)];
      var toolbar = h("div", { class: "toolbar" });
      if (allowed(collection.rights, "create")) {
        toolbar.append(h("a", { class: "button", href: "#/c/" + encodeURIComponent(collection.name) + "/new" }, "New " + collection.name + " item"));
      }
      var views = (collection.selections || []).filter(function (s) { return s.name !== "_all" && allowed(s.rights, "read"); });
      if (views.length) toolbar.append(selectionPicker(collection, views, params));
      children.push(toolbar, filterForm(collection, params));
      if (!res.ok) {
        children.push(h("p", { class: "error", role: "alert" }, describe(res).text));
      } else {
        children.push(resultTable(meta, collection, selection, res.data, params, sortable), pager(collection, res.data, params));
      }
      show.apply(null, children);
    });
  }

  function selectionPicker(collection, views, params) {
    var select = h("select", { id: "saved-view" }, h("option", { value: "" }, "All items"));
    views.forEach(function (s) { select.append(h("option", { value: s.name, selected: params.get("_sel") === s.name }, s.name)); });
    select.addEventListener("change", function () {
      var next = new URLSearchParams(params);
      next.delete("_skip");
      if (select.value) next.set("_sel", select.value); else next.delete("_sel");
      go(listHash(collection.name, next));
    });
    return h("span", { class: "saved-view" }, h("label", { for: "saved-view" }, "Saved view "), select);
  }

  function filterForm(collection, params) {
    var form = h("form", { class: "filters", role: "search", "aria-label": "Filter " + collection.name });
    var usable = fields(collection).filter(function (f) { return FILTERABLE.indexOf(kind(f.node)) >= 0; });
    usable.forEach(function (f) {
      var id = "filter-" + f.key;
      var k = kind(f.node);
      var hint = k === "string" ? "contains" : k === "int" || k === "float" ? "e.g. 5, >5, <=5, !=5" : k === "ref" ? "id" : "equals";
      form.append(h("div", { class: "filter" },
        h("label", { for: id }, f.key, h("span", { class: "muted" }, " (" + hint + ")")),
        h("input", { id: id, name: "f." + f.key, type: "search", value: params.get("f." + f.key) || "" })));
    });
    form.append(h("div", { class: "filter-buttons" },
      h("button", { type: "submit" }, "Apply filters"),
      h("button", { type: "button", onclick: function () { go(listHash(collection.name, keep(params, ["_sel", "_page"]))); } }, "Clear")));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var next = keep(params, ["_sel", "_page", "_sort"]);
      new FormData(form).forEach(function (value, key) { if (String(value).trim()) next.set(key, String(value).trim()); });
      go(listHash(collection.name, next));
    });
    return usable.length ? form : null;
  }

  function keep(params, names) {
    var next = new URLSearchParams();
    names.forEach(function (name) { if (params.get(name)) next.set(name, params.get(name)); });
    return next;
  }

  function resultTable(meta, collection, selection, data, params, sortable) {
    var rows = data.result || [];
    var table = h("table", {}, h("caption", {}, collection.name + ": " + data.total + " item" + (data.total === 1 ? "" : "s")));
    var head = h("tr");
    var columns;
    if (selection && selection.selectors) {
      columns = selection.selectors.map(function (s, index) { return { title: s.replace(/^\$\./, ""), index: index }; });
    } else {
      columns = fields(collection).filter(function (f) { return ["dict", "json"].indexOf(kind(f.node)) < 0; }).slice(0, 8)
        .map(function (f) { return { title: f.key, key: f.key, node: f.node }; });
      columns.unshift({ title: "item", key: "_id" });
    }
    columns.forEach(function (column) {
      var title = column.title;
      if (sortable && column.key && column.key !== "_id") {
        var current = params.get("_sort");
        var next = new URLSearchParams(params);
        next.set("_sort", current === column.key ? "-" + column.key : column.key);
        var sort = current === column.key ? "ascending" : current === "-" + column.key ? "descending" : null;
        head.append(h("th", { scope: "col", "aria-sort": sort }, h("a", { href: listHash(collection.name, next) }, title, sort ? (sort === "ascending" ? " ▲" : " ▼") : "")));
      } else {
        head.append(h("th", { scope: "col" }, title));
      }
    });
    table.append(h("thead", {}, head));
    var tbody = h("tbody");
    rows.forEach(function (row) {
      var tr = h("tr");
      columns.forEach(function (column, position) {
        var value = Array.isArray(row) ? row[column.index] : row[column.key];
        var id = Array.isArray(row) ? row[0] : row._id;
        if (position === 0) {
          var text = Array.isArray(row) ? String(value) : labelOf(collection, row);
          tr.append(h("td", {}, h("a", { href: itemHash(collection.name, id) }, text || id)));
        } else if (column.node && kind(column.node) === "ref" && value && value !== NULL_ID) {
          tr.append(h("td", {}, h("a", { href: itemHash(column.node.collection, value) }, value)));
        } else {
          tr.append(h("td", {}, column.node ? cellText(column.node, value) : cellText({}, value)));
        }
      });
      tbody.append(tr);
    });
    if (!rows.length) tbody.append(h("tr", {}, h("td", { colspan: columns.length }, "No item matches.")));
    table.append(tbody);
    return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": collection.name + " table" }, table);
  }

  function pager(collection, data, params) {
    var size = Number(params.get("_page") || 10);
    var skip = Number(params.get("_skip") || 0);
    var total = data.total || 0;
    var shown = (data.result || []).length;
    function to(newSkip) {
      var next = new URLSearchParams(params);
      if (newSkip > 0) next.set("_skip", String(newSkip)); else next.delete("_skip");
      return function () { go(listHash(collection.name, next)); };
    }
    var sizes = h("select", { id: "page-size" });
    [10, 25, 50, 100].forEach(function (n) { sizes.append(h("option", { value: n, selected: n === size }, String(n))); });
    sizes.addEventListener("change", function () {
      var next = new URLSearchParams(params);
      next.set("_page", sizes.value);
      next.delete("_skip");
      go(listHash(collection.name, next));
    });
    return h("nav", { class: "pager", "aria-label": "Pages" },
      h("button", { type: "button", disabled: skip <= 0, onclick: to(Math.max(0, skip - size)) }, "Previous page"),
      h("span", { role: "status" }, shown ? "Items " + (skip + 1) + "–" + (skip + shown) + " of " + total : "0 of " + total),
      h("button", { type: "button", disabled: skip + size >= total, onclick: to(skip + size) }, "Next page"),
      h("label", { for: "page-size" }, "Per page"), sizes);
  }

  // --- forms ----------------------------------------------------------------------------

  /* A form drawn from an Item schema: `controls` know how to read their value back. */
  function Form(meta, collection, options) {
    this.meta = meta;
    this.collection = collection;
    this.prefix = options.prefix || "f-";
    this.mode = options.mode; // "create", "edit" or "action"
    this.readOnly = !!options.readOnly;
    this.controls = [];
    this.summary = h("div", { class: "form-errors", role: "alert", hidden: true });
  }

  Form.prototype.build = function (scheme, values, path, into) {
    var self = this;
    Object.keys(scheme || {}).forEach(function (key) {
      var node = scheme[key];
      if (key.charAt(0) === "_" || !readable(node)) return;
      if (self.mode === "create" && !modifiable(node)) return;
      var fieldPath = path.concat([key]);
      var value = values ? values[key] : undefined;
      if (kind(node) === "dict") {
        var set = h("fieldset", { class: "group" }, h("legend", {}, key));
        if (node.description) set.append(h("p", { class: "hint" }, node.description));
        self.build(node.sub_scheme, value || {}, fieldPath, set);
        into.append(set);
        return;
      }
      into.append(self.field(key, node, fieldPath, value));
    });
  };

  Form.prototype.field = function (key, node, path, value) {
    var self = this;
    var id = idFor(this.prefix, path);
    var k = kind(node);
    var readOnly = this.readOnly || !modifiable(node);
    var control = { path: path, dollar: "$." + path.join("."), node: node, kind: k, readOnly: readOnly, original: value };
    var hints = [];
    if (node.description) hints.push(node.description);
    if (node.min !== null && node.min !== undefined && node.max !== null && node.max !== undefined) hints.push("from " + node.min + " to " + node.max);
    else if (node.min !== null && node.min !== undefined) hints.push("at least " + node.min);
    else if (node.max !== null && node.max !== undefined) hints.push("at most " + node.max);
    if (k === "list") hints.push("one value per line");
    if (k === "json") hints.push("JSON");
    if (readOnly) hints.push("read-only");
    var hintId = id + "-hint";
    var errorId = id + "-error";
    var described = (hints.length ? hintId + " " : "") + errorId;
    var label = h("label", { for: id }, key, node.required ? h("span", { class: "required" }, " (required)") : null);
    var input = this.input(control, id, value, readOnly, described);
    control.input = input;
    control.error = h("p", { class: "field-error", id: errorId });
    control.wrapper = h("div", { class: "field field-" + k, "data-path": control.dollar },
      label, control.widget || input, hints.length ? h("p", { class: "hint", id: hintId }, hints.join(" · ")) : null, control.error);
    if (!readOnly) {
      var changed = function () { self.scheduleCheck(); };
      input.addEventListener(k === "bool" || k === "choice" || k === "ref" || k === "refs" ? "change" : "input", changed);
    }
    this.controls.push(control);
    return control.wrapper;
  };

  Form.prototype.input = function (control, id, value, readOnly, described) {
    var k = control.kind;
    var node = control.node;
    var common = { id: id, name: control.path.join("."), "aria-describedby": described, "aria-required": node.required ? "true" : null };
    var input;
    if (k === "bool") {
      common.checked = value === undefined || value === null ? node.default === true : !!value;
      common.disabled = readOnly;
      input = h("input", Object.assign({ type: "checkbox" }, common));
      control.get = function () { return input.checked; };
    } else if (k === "choice") {
      common.disabled = readOnly;
      input = h("select", common, h("option", { value: "" }, "— none —"));
      var current = value === undefined ? node.default : value;
      node.union.forEach(function (choice) { input.append(h("option", { value: choice, selected: choice === current }, String(choice))); });
      control.get = function () { return input.value === "" ? null : input.value; };
    } else if (k === "int" || k === "float") {
      input = h("input", Object.assign({ type: "number", step: k === "int" ? "1" : "any", min: node.min, max: node.max,
        value: value === null || value === undefined ? "" : String(value), readonly: readOnly, inputmode: k === "int" ? "numeric" : "decimal" }, common));
      control.get = function () {
        var text = input.value.trim();
        if (text === "") return input.validity && input.validity.badInput ? "not a number" : null;
        var number = Number(text);
        return isFinite(number) ? number : text;
      };
    } else if (k === "datetime") {
      input = h("input", Object.assign({ type: "datetime-local", step: "1", readonly: readOnly,
        value: value ? String(value).slice(0, 19) : "" }, common));
      control.get = function () { return input.value ? (input.value.length === 16 ? input.value + ":00" : input.value) : null; };
    } else if (k === "list" || k === "json") {
      var text = k === "list" ? (value || []).join("\n") : value === null || value === undefined ? "" : JSON.stringify(value, null, 2);
      input = h("textarea", Object.assign({ rows: k === "list" ? 3 : 4, readonly: readOnly, value: text }, common));
      control.get = function () {
        var raw = input.value;
        if (k === "list") {
          var sub = kind(node.sub_type || {});
          return raw.split("\n").map(function (l) { return l.trim(); }).filter(Boolean).map(function (l) {
            if (sub === "int" || sub === "float") return isFinite(Number(l)) ? Number(l) : l;
            if (sub === "bool") return l === "true";
            return l;
          });
        }
        if (!raw.trim()) return null;
        try { return JSON.parse(raw); } catch (e) { return raw; }
      };
    } else if (k === "ref" || k === "refs") {
      input = this.refPicker(control, id, value, readOnly, common);
    } else if (k === "file") {
      input = this.filePicker(control, id, value, readOnly, common);
    } else {
      input = h("input", Object.assign({ type: "text", readonly: readOnly, value: value === null || value === undefined ? "" : String(value) }, common));
      control.get = function () { return input.value === "" ? null : input.value; };
    }
    return input;
  };

  /* Ref / RefsList: a search box filtering the target collection, and a (multiple) select. */
  Form.prototype.refPicker = function (control, id, value, readOnly, common) {
    var target = control.node.collection;
    var targetMeta = collectionNamed(this.meta, target);
    var multiple = control.kind === "refs";
    var chosen = (multiple ? value || [] : value && value !== NULL_ID ? [value] : []).slice();
    var labels = {};
    var select = h("select", Object.assign({ multiple: multiple, size: multiple ? 5 : null, disabled: readOnly }, common));
    var search = h("input", { type: "search", id: id + "-search", "aria-label": "Search " + target + " for " + control.path.join("."),
      placeholder: "Search " + target + "…", "aria-controls": id, disabled: readOnly });
    var timer = null;
    function selectedNow() {
      return Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value; }).map(function (o) { return o.value; });
    }
    function fill(items) {
      var keepSelected = select.options.length ? selectedNow() : chosen;
      select.replaceChildren();
      if (!multiple) select.append(h("option", { value: "" }, "— none —"));
      var seen = {};
      keepSelected.concat(items.map(function (i) { return i._id; })).forEach(function (itemId) {
        if (seen[itemId]) return;
        seen[itemId] = true;
        var text = labels[itemId] ? labels[itemId] + " (" + itemId + ")" : itemId;
        select.append(h("option", { value: itemId, selected: keepSelected.indexOf(itemId) >= 0 }, text));
      });
    }
    function lookup(text) {
      var query = new URLSearchParams({ _page: "20" });
      var key = targetMeta && labelField(targetMeta);
      if (text && key) query.set(key + ".$re", containsFilter(text));
      return api("GET", "/" + target, { query: query.toString() }).then(function (res) {
        var items = res.ok && res.data ? res.data.result || [] : [];
        items.forEach(function (i) { labels[i._id] = labelOf(targetMeta, i); });
        fill(items);
      });
    }
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { lookup(search.value.trim()); }, 250);
    });
    control.get = function () {
      var ids = selectedNow();
      return multiple ? ids : ids[0] || null;
    };
    fill([]);
    if (!readOnly) lookup("");
    Promise.all(chosen.map(function (itemId) {
      return api("GET", "/" + target + "/" + encodeURIComponent(itemId)).then(function (res) {
        if (res.ok && res.data) labels[itemId] = labelOf(targetMeta, res.data);
      });
    })).then(function () { fill([]); });
    var links = chosen.length === 1 ? h("a", { href: itemHash(target, chosen[0]), class: "small" }, "Open " + target + " " + chosen[0]) : null;
    control.widget = h("div", { class: "picker" }, search, select, links);
    return select;
  };

  /* File / BlobFile: what is stored (with a download button) and a file input to replace it. */
  Form.prototype.filePicker = function (control, id, value, readOnly, common) {
    var self = this;
    var stored = value && (value.filename || value.size) ? value : null;
    var input = h("input", Object.assign({ type: "file", disabled: readOnly }, common));
    var info = h("p", { class: "file-info" }, stored ? (stored.filename || "file") + " — " + stored.size + " bytes, " + (stored.content_type || "?") : "No file.");
    var button = null;
    if (stored && self.itemId) {
      button = h("button", { type: "button", onclick: function () { download(self.collection.name, self.itemId, control.path.join("."), stored.filename); } },
        "Download " + (stored.filename || control.path.join(".")));
    }
    control.get = function () { return undefined; }; // sent as a multipart part, not in the JSON
    control.file = function () { return input.files && input.files[0]; };
    control.widget = h("div", { class: "file" }, info, button, input);
    return input;
  };

  /* The values of the form: every editable field (create, action) or only the changed ones (edit). */
  Form.prototype.values = function (onlyChanged, includeReadOnly) {
    var result = {};
    this.controls.forEach(function (c) {
      if (c.readOnly && !includeReadOnly) return;
      var value = c.get();
      if (value === undefined) return;
      if (onlyChanged && same(value, normalised(c))) return;
      // an empty field is left out (its default applies), unless it is required without a
      // default: then null is sent, and the API says "Cannot be empty" about that field
      if (!onlyChanged && value === null && !(c.node.required && (c.node.default === null || c.node.default === NULL_ID))) return;
      var at = result;
      c.path.slice(0, -1).forEach(function (p) { at = at[p] = at[p] || {}; });
      at[c.path[c.path.length - 1]] = value;
    });
    return result;
  };

  function normalised(control) {
    var value = control.original;
    if (value === undefined) value = null;
    if (control.kind === "ref" && value === NULL_ID) return null;
    if (control.kind === "datetime" && value) return String(value).slice(0, 19);
    if (control.kind === "list" && value === null) return [];
    return value;
  }

  function same(a, b) {
    return JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b);
  }

  Form.prototype.files = function () {
    return this.controls.filter(function (c) { return c.kind === "file" && !c.readOnly && c.file(); });
  };

  Form.prototype.controlFor = function (path) {
    if (!path) return null;
    var best = null;
    this.controls.forEach(function (c) {
      if (path === c.dollar || path.indexOf(c.dollar + ".") === 0 || path.indexOf(c.dollar + "[") === 0) {
        if (!best || c.dollar.length > best.dollar.length) best = c;
      }
    });
    return best;
  };

  function setError(control, message) {
    control.error.textContent = message || "";
    control.wrapper.classList.toggle("invalid", !!message);
    if (message) control.input.setAttribute("aria-invalid", "true");
    else control.input.removeAttribute("aria-invalid");
  }

  Form.prototype.clearErrors = function () {
    this.controls.forEach(function (c) { setError(c, null); });
    this.summary.hidden = true;
    this.summary.textContent = "";
  };

  /* An API error: next to its field when it names one, and always summed up at the top. */
  Form.prototype.showError = function (res) {
    var problem = describe(res);
    var control = this.controlFor(problem.path);
    if (control) setError(control, problem.message);
    this.summary.replaceChildren(h("strong", {}, "Not saved. "), problem.text);
    this.summary.hidden = false;
    if (control && !control.readOnly) control.input.focus();
  };

  /* Live validation: after a pause in typing, ask POST /{c}/_check about the form's values.
   * stricto checks the whole object and reports its first error: it is shown next to the
   * field it names (which may be another field than the one being typed in). */
  Form.prototype.scheduleCheck = function () {
    var self = this;
    if (self.mode === "action") return;
    clearTimeout(self.checkTimer);
    self.checkTimer = setTimeout(function () { self.check(); }, 300);
  };

  Form.prototype.check = function () {
    var self = this;
    var round = (self.checkRound || 0) + 1;
    self.checkRound = round;
    var values = self.values(false, true);
    return api("POST", "/" + self.collection.name + "/_check", { json: { path: "$", item: values } }).then(function (res) {
      if (round !== self.checkRound || !res.ok || !res.data) return;
      if (self.live) setError(self.live, null);
      self.live = null;
      if (!res.data.error) return;
      var problem = describe(res, res.data.error);
      var owner = self.controlFor(problem.path);
      if (owner) {
        setError(owner, problem.message);
        self.live = owner;
      }
    });
  };

  Form.prototype.send = function (method, path, values) {
    var files = this.files();
    if (!files.length) return api(method, path, { json: values });
    var form = new FormData();
    form.append("_json", JSON.stringify(values));
    files.forEach(function (c) { form.append(c.path.join("."), c.file()); });
    return api(method, path, { form: form });
  };

  function download(collection, id, path, filename) {
    return api("GET", "/" + collection + "/" + encodeURIComponent(id) + "/" + path, { blob: true }).then(function (res) {
      if (!res.ok) return showNotice("Download failed: " + describe(res).text);
      var url = URL.createObjectURL(res.blob);
      var link = h("a", { href: url, download: filename || path, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 30000);
    });
  }

  // --- create and detail pages ----------------------------------------------------------

  function renderCreate(meta, collection) {
    var title = heading("New " + collection.name + " item");
    if (!allowed(collection.rights, "create")) {
      show(title, h("p", { class: "error" }, "You may not create items in " + collection.name + "."));
      return;
    }
    var form = new Form(meta, collection, { mode: "create" });
    var element = h("form", { class: "item-form", novalidate: true }, form.summary);
    form.build(collection.item.sub_scheme, null, [], element);
    element.append(h("div", { class: "buttons" },
      h("button", { type: "submit", class: "primary" }, "Create"),
      h("a", { href: listHash(collection.name), class: "button" }, "Cancel")));
    element.addEventListener("submit", function (event) {
      event.preventDefault();
      form.clearErrors();
      form.send("POST", "/" + collection.name, form.values(false)).then(function (res) {
        if (res.ok && res.data && res.data._id) return go(itemHash(collection.name, res.data._id), "Created.");
        form.showError(res);
      });
    });
    show(title, element);
  }

  function renderDetail(meta, collectionMeta, id) {
    var name = collectionMeta.name;
    return Promise.all([api("GET", "/" + name + "/" + encodeURIComponent(id)), loadMeta(name, id), loadOpenapi()]).then(function (answers) {
      var res = answers[0];
      if (!res.ok || !res.data) {
        show(heading(name + " item"), h("p", { class: "error", role: "alert" }, describe(res).text),
          h("p", {}, h("a", { href: listHash(name) }, "Back to " + name)));
        return;
      }
      var item = res.data;
      var evaluated = answers[1].ok && answers[1].data ? collectionNamed(answers[1].data, name) : null;
      var collection = evaluated || collectionMeta;
      var mayModify = allowed(collection.rights, "modify");
      var form = new Form(meta, collection, { mode: "edit", readOnly: !mayModify });
      form.itemId = id;
      var element = h("form", { class: "item-form", novalidate: true }, form.summary);
      form.build(collection.item.sub_scheme, item, [], element);
      var anyEditable = form.controls.some(function (c) { return !c.readOnly; });
      if (mayModify && anyEditable) {
        element.append(h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary" }, "Save")));
      } else {
        element.prepend(h("p", { class: "muted" }, "You may not modify this item."));
      }
      element.addEventListener("submit", function (event) {
        event.preventDefault();
        form.clearErrors();
        var values = form.values(true);
        if (!Object.keys(values).length && !form.files().length) {
          form.summary.replaceChildren("Nothing changed.");
          form.summary.hidden = false;
          return;
        }
        form.send("PUT", "/" + name + "/" + encodeURIComponent(id), values).then(function (answer) {
          if (answer.ok) return go(itemHash(name, id), "Saved.");
          form.showError(answer);
        });
      });
      show(
        h("p", { class: "crumbs" }, h("a", { href: listHash(name) }, name), " / ", id),
        heading(name + ": " + labelOf(collection, item)),
        recordInfo(item),
        element,
        actionsSection(meta, collection, id),
        deleteSection(collection, item, answers[2], meta.name));
    });
  }

  function recordInfo(item) {
    var m = item._meta || {};
    var rows = [["id", item._id], ["created", m.ctime], ["by", m.created_by && m.created_by.login], ["modified", m.mtime], ["by", m.modified_by && m.modified_by.login]];
    var list = h("dl", { class: "record" });
    rows.forEach(function (r) { if (r[1]) list.append(h("dt", {}, r[0]), h("dd", {}, String(r[1]))); });
    return list;
  }

  function actionsSection(meta, collection, id) {
    var runnable = (collection.actions || []).filter(function (a) { return allowed(a.rights, "see") && allowed(a.rights, "execute"); });
    if (!runnable.length) return null;
    var section = h("section", { class: "actions", "aria-labelledby": "actions-title" }, h("h2", { id: "actions-title" }, "Actions"));
    runnable.forEach(function (action) {
      var form = new Form(meta, collection, { mode: "action", prefix: "a-" + action.name + "-" });
      var element = h("form", { class: "action-form", hidden: true, novalidate: true, "aria-label": "Run " + action.name }, form.summary);
      form.build(action.sub_scheme || {}, null, [], element);
      var open = h("button", { type: "button", "aria-expanded": "false" }, action.name + "…");
      open.addEventListener("click", function () {
        element.hidden = !element.hidden;
        open.setAttribute("aria-expanded", String(!element.hidden));
        if (!element.hidden) (element.querySelector("input, select, textarea, button") || element).focus();
      });
      element.append(h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary" }, "Run " + action.name),
        h("button", { type: "button", onclick: function () { element.hidden = true; open.setAttribute("aria-expanded", "false"); open.focus(); } }, "Cancel")));
      element.addEventListener("submit", function (event) {
        event.preventDefault();
        form.clearErrors();
        var path = "/" + collection.name + "/_actions/" + encodeURIComponent(action.name) + "/" + encodeURIComponent(id);
        api("POST", path, { json: form.values(false) }).then(function (res) {
          if (res.ok) return go(itemHash(collection.name, id), "Action " + action.name + " done.");
          form.showError(res);
        });
      });
      if (action.description) section.append(h("p", { class: "hint" }, action.description));
      section.append(h("div", { class: "action" }, open, element));
    });
    return section;
  }

  var STRATEGY_TEXT = {
    MUST_BE_EMPTY: function (f, n) { return "Refused while " + f.key + " lists " + f.node.collection + " items (" + n + " now)."; },
    DELETE_REFERENCED_ITEMS: function (f, n) { return "Also deletes the " + n + " " + f.node.collection + " item(s) listed in " + f.key + "."; },
    UNLINK_REFERENCED_ITEMS: function (f, n) { return "Keeps the " + n + " " + f.node.collection + " item(s) listed in " + f.key + ", unlinking them."; },
  };

  /* What deleting this item does, from the delete strategies of its RefsList fields. */
  function deleteConsequences(collection, item) {
    var lines = [];
    var scheme = (collection.item && collection.item.sub_scheme) || {};
    Object.keys(scheme).forEach(function (key) {
      var node = scheme[key];
      var k = kind(node);
      var count = (item[key] || []).length;
      if (k === "refs") {
        var text = STRATEGY_TEXT[node.on_delete] || function (f, n) { return f.key + " lists " + n + " " + f.node.collection + " item(s)."; };
        lines.push(text({ key: key, node: node }, count));
      } else if (k === "ref" && node.reverse && item[key] && item[key] !== NULL_ID) {
        lines.push("It is removed from " + node.collection + " " + item[key] + " (" + node.reverse.replace(/^\$\./, "") + ").");
      }
    });
    if (!lines.length) lines.push("Nothing else refers to it: only this item is deleted.");
    return lines;
  }

  function deleteSection(collection, item, doc, backofficeName) {
    if (!allowed(collection.rights, "delete")) return null;
    var id = item._id;
    var path = "/" + collection.name + "/" + encodeURIComponent(id);
    var dryRun = hasParameter(doc || {}, "/" + backofficeName + "/" + collection.name + "/{_id}", "delete", "_dry_run");
    var explain = h("ul", { id: "delete-consequences" });
    deleteConsequences(collection, item).forEach(function (line) { explain.append(h("li", {}, line)); });
    var problem = h("p", { class: "error", role: "alert", id: "delete-error" });
    var confirmBox = h("div", { class: "confirm", hidden: true, role: "group", "aria-labelledby": "delete-question" },
      h("p", { id: "delete-question" }, h("strong", {}, "Delete this item?")),
      explain, problem,
      h("div", { class: "buttons" },
        h("button", { type: "button", class: "danger", onclick: confirmDelete }, "Yes, delete"),
        h("button", { type: "button", onclick: function () { confirmBox.hidden = true; start.focus(); } }, "Cancel")));
    var start = h("button", { type: "button", class: "danger", "aria-describedby": "delete-consequences", onclick: function () {
      confirmBox.hidden = false;
      if (dryRun) {
        api("DELETE", path, { query: "_dry_run=1" }).then(function (res) {
          var text = res.ok ? (res.data ? JSON.stringify(res.data) : res.text) : describe(res).text;
          explain.append(h("li", {}, (res.ok ? "Preview: " : "Preview refused: ") + text));
        });
      }
      confirmBox.querySelector("button.danger").focus();
    } }, "Delete…");
    function confirmDelete() {
      problem.textContent = "";
      api("DELETE", path).then(function (res) {
        if (res.ok) return go(listHash(collection.name), "Deleted.");
        problem.textContent = "Not deleted. " + describe(res).text;
      });
    }
    return h("section", { class: "delete", "aria-labelledby": "delete-title" }, h("h2", { id: "delete-title" }, "Delete"), start, confirmBox);
  }

  // --- authentication -------------------------------------------------------------------

  function setupAuth() {
    var form = document.getElementById("auth");
    if (!form) return;
    var field = document.getElementById("token");
    var state = document.getElementById("token-state");
    function say() { state.textContent = token() ? "(set)" : "(none)"; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (field.value) sessionStorage.setItem(TOKEN_KEY, field.value);
      field.value = "";
      document.getElementById("auth-box").open = false;
      say();
      route();
    });
    document.getElementById("forget-token").addEventListener("click", function () {
      sessionStorage.removeItem(TOKEN_KEY);
      say();
      route();
    });
    say();
  }

  setupAuth();
  window.addEventListener("hashchange", route);
  route();
})();
