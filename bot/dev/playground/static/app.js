// Playground TPK Bot: one Telegram-like chat per persona, talking to the playground's JSON API.
//
// Safety: nothing the bot or a user wrote is ever parsed as HTML. Messages arrive as Telegram's
// plain text plus entities (bold, links, ...), and the DOM is built with createElement and
// text nodes; links get an href only when they are http(s).
"use strict";

const $ = (selector) => document.querySelector(selector);
const POLL_WAIT = 20;

const state = {
  personas: [],
  current: null,
  revision: 0,
  fresh: true,      // the next poll asks for the whole chat
  seen: {},         // persona key -> messages received when last looked at
  messages: new Map(), // message id -> view
  pollAbort: null,
  botUsername: "",
  maxHours: 744,
};

// -- small helpers -----------------------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({ ok: false, error: response.statusText }));
  if (!response.ok || !data.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

let toastTimer = null;
function toast(text) {
  const node = $("#toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.hidden = true; }, 3000);
}

function alertBox(text) {
  $("#alert-text").textContent = text;
  $("#alert-dialog").showModal();
}

function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function startLinkPattern() {
  const name = state.botUsername.replace(/[^A-Za-z0-9_]/g, "");
  return new RegExp(`^https://t\\.me/${name}\\?start=[A-Za-z0-9_-]{1,64}$`);
}

function formatSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1).replace(".", ",")} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function formatDay(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d).toLocaleDateString("id-ID", {
    weekday: "long", day: "numeric", month: "long", year: "numeric",
  });
}

// -- Telegram text with entities → DOM ---------------------------------------------------------

const AUTOLINK = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]])|((?:^|(?<=[\s(]))\/[A-Za-z0-9_]{1,32}(?![A-Za-z0-9_/]))/g;

function plainText(text) {
  // Telegram clients turn links and /commands in plain text into something to tap.
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(AUTOLINK)) {
    if (match.index > last) fragment.append(text.slice(last, match.index));
    if (match[1]) fragment.append(linkNode(match[1], match[1]));
    else fragment.append(commandNode(match[2]));
    last = match.index + match[0].length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}

function commandNode(command) {
  return el("a", {
    class: "command", href: "#", role: "button",
    onclick: (event) => { event.preventDefault(); sendText(command); },
  }, command);
}

function linkNode(url, label) {
  if (startLinkPattern().test(url)) {
    return el("a", {
      href: "#", title: "Buka tautan sebagai persona lain",
      onclick: (event) => { event.preventDefault(); openAs(url); },
    }, label);
  }
  const href = safeUrl(url);
  if (href === null) return document.createTextNode(label);
  return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, label);
}

function entityNode(entity, content, inner) {
  switch (entity.type) {
    case "bold": return el("b", {}, inner);
    case "italic": return el("i", {}, inner);
    case "underline": return el("u", {}, inner);
    case "strikethrough": return el("s", {}, inner);
    case "spoiler": return el("span", { class: "spoiler", onclick: (e) => e.currentTarget.classList.add("shown") }, inner);
    case "code": return el("code", {}, content);
    case "pre": return el("pre", {}, el("code", {}, content));
    case "blockquote":
    case "expandable_blockquote": return el("blockquote", {}, inner);
    case "text_link": {
      const node = linkNode(entity.url || "", "");
      if (node.nodeType === Node.TEXT_NODE) return inner;
      node.append(inner);
      return node;
    }
    case "url": return linkNode(content, content);
    case "bot_command": return commandNode(content);
    default: return el("span", {}, inner);
  }
}

function richText(text, entities) {
  const sorted = (entities || [])
    .filter((e) => e.length > 0 && e.offset >= 0 && e.offset + e.length <= text.length)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  function build(start, end, list) {
    const fragment = document.createDocumentFragment();
    let position = start;
    let i = 0;
    while (i < list.length) {
      const entity = list[i];
      const entityEnd = entity.offset + entity.length;
      const children = [];
      let j = i + 1;
      while (j < list.length && list[j].offset < entityEnd) {
        if (list[j].offset + list[j].length <= entityEnd) children.push(list[j]);
        j += 1;
      }
      if (entity.offset < position) { i = j; continue; }  // overlapping: Telegram never sends it
      if (entity.offset > position) fragment.append(plainText(text.slice(position, entity.offset)));
      const content = text.slice(entity.offset, entityEnd);
      fragment.append(entityNode(entity, content, build(entity.offset, entityEnd, children)));
      position = entityEnd;
      i = j;
    }
    if (position < end) fragment.append(plainText(text.slice(position, end)));
    return fragment;
  }
  return build(0, text.length, sorted);
}

// -- messages -----------------------------------------------------------------------------------

function messageNode(view) {
  const bubble = el("div", { class: "bubble" });
  if (view.photo) {
    const url = `/api/files/${encodeURIComponent(view.photo.file_id)}`;
    bubble.append(el("img", {
      class: "photo", src: url, alt: view.text ? "Foto: " + view.text.slice(0, 80) : "Foto dari bot",
      width: view.photo.width || undefined, height: view.photo.height || undefined, loading: "lazy",
      onclick: () => showPhoto(url),
    }));
  }
  if (view.document) {
    const url = `/api/files/${encodeURIComponent(view.document.file_id)}?download=1`;
    bubble.append(el("a", { class: "document", href: url, download: view.document.name },
      el("span", { class: "doc-icon", "aria-hidden": "true" }, "⬇"),
      el("span", {},
        el("div", { class: "doc-name" }, view.document.name),
        el("div", { class: "doc-size" }, `${formatSize(view.document.size)} · ketuk untuk mengunduh`))));
  }
  if (view.contact) {
    bubble.append(el("div", { class: "contact-card" }, "📱 ", `Nomor dibagikan: +${view.contact.phone.replace(/^\+/, "")}`));
  }
  if (view.other) bubble.append(el("div", { class: "other" }, `[${view.other}]`));
  if (view.text) bubble.append(el("span", { class: "text" }, richText(view.text, view.entities)));
  bubble.append(el("span", { class: "meta" }, view.edited ? `diedit ${view.time}` : view.time));

  const node = el("div", { class: `msg ${view.from}`, dataset: { id: String(view.id), day: view.day } }, bubble);
  if (view.buttons && view.buttons.length) {
    const keyboard = el("div", { class: "keyboard" });
    view.buttons.forEach((row, r) => {
      const rowNode = el("div", { class: "row" });
      row.forEach((button, c) => {
        rowNode.append(el("button", {
          type: "button", class: button.url ? "url" : "",
          onclick: (event) => pressButton(view.id, r, c, button, event.currentTarget),
        }, button.label));
      });
      keyboard.append(rowNode);
    });
    node.append(keyboard);
  }
  if (view.start_links && view.start_links.length) {
    const actions = el("div", { class: "link-actions" });
    for (const link of view.start_links) {
      const label = view.photo ? "📷 Pindai QR sebagai…" : "🔗 Buka tautan sebagai…";
      actions.append(el("button", { type: "button", onclick: () => openAs(link) }, label));
    }
    node.append(actions);
  }
  return node;
}

function emptyChatNode() {
  const persona = currentPersona();
  return el("div", { class: "empty-chat" },
    el("p", {}, `Ini chat ${persona ? persona.name : ""} dengan TPK Bot.`),
    el("p", {}, "Tekan MULAI, atau buka tautan undangan dari chat persona lain."));
}

function renderMessages(views, deleted, fresh) {
  // Changed messages are replaced in place and new ones appended (ids only grow), so a
  // button is never rebuilt under the pointer because something else changed.
  const box = $("#messages");
  if (fresh) {
    state.messages.clear();
    box.replaceChildren();
  }
  box.querySelector(".empty-chat")?.remove();
  for (const id of deleted) {
    state.messages.delete(id);
    box.querySelector(`.msg[data-id="${id}"]`)?.remove();
  }
  let added = false;
  for (const view of [...views].sort((a, b) => a.id - b.id)) {
    const node = messageNode(view);
    const old = state.messages.has(view.id) ? box.querySelector(`.msg[data-id="${view.id}"]`) : null;
    state.messages.set(view.id, view);
    if (old) {
      old.replaceWith(node);
      continue;
    }
    const previous = [...box.querySelectorAll(".msg")].pop();
    if (!previous || previous.dataset.day !== view.day) box.append(el("div", { class: "day" }, formatDay(view.day)));
    box.append(node);
    added = true;
  }
  if (!state.messages.size) box.append(emptyChatNode());
  if (views.some((v) => v.from === "bot") || deleted.length) {
    // How often the bot changed this chat, and when last: lets a script (the browser
    // tests) wait until the bot has answered and gone quiet.
    box.dataset.botChanges = String(Number(box.dataset.botChanges || 0) + 1);
    box.dataset.changedAt = String(performance.now());
  }
  if (fresh || added) box.scrollTop = box.scrollHeight;
  $("#start-button").hidden = state.messages.size > 0;
}

function renderReplyKeyboard(rows) {
  const box = $("#reply-keyboard");
  box.replaceChildren();
  box.hidden = !rows || !rows.length;
  if (box.hidden) return;
  for (const row of rows) {
    const rowNode = el("div", { class: "row" });
    for (const button of row) {
      rowNode.append(el("button", {
        type: "button", class: button.contact ? "contact" : "",
        onclick: () => (button.contact ? shareContact() : sendText(button.label)),
      }, button.contact ? `📱 ${button.label}` : button.label));
    }
    box.append(rowNode);
  }
}

function renderCommands(commands) {
  const box = $("#commands");
  box.replaceChildren(...commands.map((c) => el("button", {
    type: "button", onclick: () => { toggleCommands(false); sendText(`/${c.command}`); },
  }, el("span", { class: "cmd" }, `/${c.command}`), el("span", { class: "desc" }, c.description))));
}

function toggleCommands(show) {
  const box = $("#commands");
  box.hidden = show === undefined ? !box.hidden : !show;
  $("#menu-button").setAttribute("aria-expanded", String(!box.hidden));
}

// -- personas and clock ------------------------------------------------------------------------

function currentPersona() {
  return state.personas.find((p) => p.key === state.current);
}

function personaButton(p) {
  return el("button", {
    type: "button", class: "persona", dataset: { key: p.key },
    onclick: () => { selectPersona(p.key); $("#app").classList.remove("side-open"); },
  },
  el("span", { class: "icon", "aria-hidden": "true" }, p.icon),
  el("span", { class: "who" },
    el("div", { class: "name" }, p.name),
    el("div", { class: "role" }, p.role),
    el("div", { class: "status" })),
  el("span", { class: "badge", hidden: true }));
}

function renderPersonas() {
  // Patched in place (never rebuilt), so a button is never replaced under the pointer.
  const nav = $("#personas");
  for (const p of state.personas) {
    let button = nav.querySelector(`.persona[data-key="${CSS.escape(p.key)}"]`);
    if (!button) {
      button = personaButton(p);
      nav.append(button);
    }
    button.setAttribute("aria-current", p.key === state.current ? "true" : "false");
    const status = button.querySelector(".status");
    status.textContent = p.status;
    status.classList.toggle("unknown", p.status === "belum terdaftar");
    const unread = p.key === state.current ? 0 : Math.max(0, p.received - (state.seen[p.key] ?? 0));
    const badge = button.querySelector(".badge");
    badge.hidden = unread === 0;
    badge.textContent = String(unread);
    badge.setAttribute("aria-label", `${unread} pesan baru`);
  }
  const persona = currentPersona();
  if (persona) {
    $("#as-persona").replaceChildren(el("span", { "aria-hidden": "true" }, persona.icon),
      el("span", { class: "as-name" }, `${persona.name} · ${persona.role}`));
  }
}

function applyPersonas(list) {
  state.personas = list;
  if (state.current) {
    const persona = currentPersona();
    if (persona) state.seen[persona.key] = persona.received;
  }
  renderPersonas();
}

function applyClock(clock) {
  $("#clock-date").textContent = clock.date;
  $("#clock-time").textContent = clock.time;
}

async function advanceClock(hours, button) {
  const buttons = [...document.querySelectorAll("#clock-buttons button")];
  buttons.forEach((b) => { b.disabled = true; });
  const report = $("#clock-report");
  const what = button.textContent.trim();
  report.textContent = `⏳ ${what}…`;
  try {
    const data = await api("/api/clock/advance", { hours });
    applyClock(data.clock);
    const r = data.report;
    const parts = [];
    if (r.reminders) parts.push(`${r.reminders} pengingat`);
    if (r.notices) parts.push(`${r.notices} pemberitahuan`);
    report.textContent = parts.length
      ? `✅ ${what}: ${parts.join(" dan ")} terkirim.`
      : `✅ ${what}: tidak ada pesan terjadwal.`;
  } catch (error) {
    report.textContent = `⚠️ ${error.message}`;
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// -- actions ------------------------------------------------------------------------------------

async function sendText(text) {
  if (!state.current || !text.trim()) return;
  try {
    await api(`/api/chat/${state.current}/send`, { text });
  } catch (error) {
    toast(`⚠️ ${error.message}`);
  }
}

async function shareContact() {
  try {
    await api(`/api/chat/${state.current}/contact`, {});
  } catch (error) {
    toast(`⚠️ ${error.message}`);
  }
}

async function pressButton(messageId, row, column, button, node) {
  if (button.url) {
    if (startLinkPattern().test(button.url)) openAs(button.url);
    else if (safeUrl(button.url)) window.open(safeUrl(button.url), "_blank", "noopener,noreferrer");
    return;
  }
  node.disabled = true;
  setTimeout(() => { node.disabled = false; }, 1500);
  try {
    await api(`/api/chat/${state.current}/press`, { message_id: messageId, row, column });
  } catch (error) {
    toast(`⚠️ ${error.message}`);
  }
}

function openAs(url) {
  const dialog = $("#open-as-dialog");
  $("#open-as-hint").textContent = url;
  const others = state.personas.filter((p) => p.key !== state.current);
  $("#open-as-list").replaceChildren(...others.map((p) => el("button", {
    type: "button", class: "persona", dataset: { key: p.key },
    onclick: async () => {
      dialog.close();
      try {
        await api("/api/open-link", { persona: p.key, url });
        selectPersona(p.key);
      } catch (error) {
        toast(`⚠️ ${error.message}`);
      }
    },
  },
  el("span", { class: "icon", "aria-hidden": "true" }, p.icon),
  el("span", { class: "who" }, el("div", { class: "name" }, p.name), el("div", { class: "role" }, p.role)),
  "")));
  dialog.showModal();
}

function showPhoto(url) {
  $("#viewer-img").src = url;
  $("#viewer-download").href = `${url}?download=1`;
  $("#viewer-dialog").showModal();
}

// -- polling ------------------------------------------------------------------------------------

function selectPersona(key) {
  if (state.current === key) return;
  state.current = key;
  state.revision = 0;
  state.fresh = true;
  state.messages.clear();
  $("#messages").replaceChildren();
  renderReplyKeyboard(null);
  toggleCommands(false);
  $("#toast").hidden = true;
  const persona = currentPersona();
  if (persona) state.seen[key] = persona.received;
  renderPersonas();
  if (state.pollAbort) state.pollAbort.abort();
  history.replaceState(null, "", `#${key}`);
  $("#text").focus({ preventScroll: true });
}

async function pollLoop() {
  for (;;) {
    const key = state.current;
    const fresh = state.fresh;
    const after = fresh ? 0 : state.revision;
    const abort = new AbortController();
    state.pollAbort = abort;
    try {
      const wait = fresh ? 0 : POLL_WAIT;
      const response = await fetch(`/api/chat/${key}?after=${after}&wait=${wait}`, { signal: abort.signal });
      const data = await response.json();
      if (key !== state.current || fresh !== state.fresh) continue;
      if (!data.ok) throw new Error(data.error);
      state.fresh = false;
      applyChat(data, fresh);
    } catch (error) {
      if (error.name !== "AbortError") await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function applyChat(data, fresh) {
  state.revision = data.revision;
  applyClock(data.clock);
  applyPersonas(data.personas);
  const chat = data.chat;
  renderMessages(chat.messages, chat.deleted, fresh);
  renderReplyKeyboard(chat.reply_keyboard);
  renderCommands(data.commands);
  for (const answer of chat.answers) {
    if (answer.alert) alertBox(answer.text);
    else toast(answer.text);
  }
  const persona = currentPersona();
  const sub = chat.action === "upload_photo" ? "mengirim foto…"
    : chat.action === "upload_document" ? "mengirim file…"
      : chat.action ? "mengetik…" : `bot · chat dengan ${persona ? persona.name : ""}`;
  $("#chat-sub").textContent = sub;
}

// -- start ---------------------------------------------------------------------------------------

function setFontSize(step) {
  const sizes = [87.5, 100, 112.5, 125, 150, 175];
  const current = Number(localStorage.getItem("tpk-playground-font") || 100);
  const index = Math.min(sizes.length - 1, Math.max(0, sizes.indexOf(current) + step));
  const size = sizes[index === -1 ? 1 : index];
  localStorage.setItem("tpk-playground-font", String(size));
  document.documentElement.style.fontSize = `${size}%`;
}

async function main() {
  setFontSize(0);
  $("#smaller").addEventListener("click", () => setFontSize(-1));
  $("#larger").addEventListener("click", () => setFontSize(1));
  $("#show-side").addEventListener("click", () => $("#app").classList.add("side-open"));
  $("#close-side").addEventListener("click", () => $("#app").classList.remove("side-open"));
  $("#menu-button").addEventListener("click", () => toggleCommands());
  $("#start-button").addEventListener("click", () => sendText("/start"));
  for (const button of document.querySelectorAll("#clock-buttons button")) {
    button.addEventListener("click", () => advanceClock(Number(button.dataset.hours), button));
  }
  for (const button of document.querySelectorAll("dialog [data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
  $("#composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("#text");
    const text = input.value;
    input.value = "";
    toggleCommands(false);
    sendText(text);
  });

  const data = await api("/api/state");
  state.botUsername = data.bot.username;
  state.maxHours = data.max_advance_hours;
  $("#chat-title").textContent = data.bot.name;
  $("#region").textContent = `@${data.bot.username} · ${data.region}`;
  $("#seed-note").textContent = data.seed;
  applyClock(data.clock);
  state.personas = data.personas;
  for (const p of data.personas) state.seen[p.key] = p.received;
  const wanted = location.hash.slice(1);
  selectPersona(data.personas.some((p) => p.key === wanted) ? wanted : data.personas[0].key);
  pollLoop();
}

document.addEventListener("DOMContentLoaded", () => {
  main().catch((error) => {
    document.body.prepend(el("p", { class: "toast" }, `Playground tidak bisa dimuat: ${error.message}`));
  });
});
