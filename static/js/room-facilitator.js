// Hearth room page, the facilitators' tools: shown when welcome says your room role is
// facilitator, host or admin. The server checks every permission again; these only offer
// what is likely to be allowed (a facilitator acts on members, a host on facilitators too).
import {
  $, app, canSend, confirmAction, el, isFacilitator, isMe, nameOf, on, outranks, redraw, say, send, sendButton,
  state, timeOf, vh,
} from "./room-core.js";

const ui = {
  panel: $("facilitator-panel"), panelTitle: $("facilitator-title"), status: $("mod-status"),
  alertsSection: $("alerts-section"), alerts: $("alerts"),
  waitingSection: $("waiting-section"), waitingTitle: $("waiting-title"), waiting: $("waiting-list"),
  waitingCount: $("waiting-count"), admitAll: $("admit-all"),
  convSection: $("conversations-section"), conversations: $("conversations"),
  reportsSection: $("reports-section"), reportsTitle: $("reports-title"), reports: $("reports"),
  marksSection: $("marks-section"), marksTitle: $("marks-title"), marks: $("marks"),
  controlsToggle: $("controls-toggle"), controls: $("room-controls"),
  lock: $("lock-button"), slowMode: $("slow-mode"), slowApply: $("slow-mode-apply"),
  facilitated: $("facilitated-button"), takeFloor: $("take-floor"),
  roundIdle: $("round-idle"), roundRunning: $("round-running"), roundSeconds: $("round-seconds"),
  roundStart: $("round-start"), roundNext: $("round-next"), roundStop: $("round-stop"),
  announceText: $("announce-text"), announcePin: $("announce-pin"), announceUnpin: $("announce-unpin"),
  end: $("end-meeting"),
};
const REASONS = {
  harmful: "harmful", disrespectful: "disrespectful", solicitation: "solicitation",
  personal_info: "personal information", other: "something else",
};
const MUTE_CHOICES = [["5", "5 minutes"], ["15", "15 minutes"], ["60", "1 hour"], ["", "Until I unmute them"]];
const muteChoice = new Map();   // member id -> the chosen duration, kept across re-draws
const reports = new Map();      // message id -> {reasons: Map, author, text, hidden, li}
const threads = new Map();      // member id -> {card, list, text}

/** A short, polite line in the panel: why a private reply was refused. */
function status(text) { ui.status.textContent = text; }

// --- each member: floor, private line, mute, waiting room, remove, ban --------------------

app.moderatePerson = (box, m) => {
  const holds = state.floor === m.id;
  box.append(sendButton({ class: "tool", dataset: { key: `floor-${m.id}` },
    onclick: () => send(holds ? { type: "take_floor" } : { type: "give_floor", user_id: m.id }) },
  holds ? "Take the floor back" : "Give the floor", vh(holds ? ` from ${m.name}` : ` to ${m.name}`)));
  box.append(el("button", { type: "button", class: "tool", dataset: { key: `write-${m.id}` }, onclick: () => openThread(m.id, m.name, true) },
    "Message privately", vh(` to ${m.name}`)));
  if (!outranks(m.role)) return;
  if (state.mod.muted.has(m.id)) {
    const until = state.mod.muted.get(m.id);
    box.append(sendButton({ class: "tool", dataset: { key: `unmute-${m.id}` }, onclick: () => send({ type: "unmute", user_id: m.id }) },
      "Unmute", vh(` ${m.name}`)));
    box.append(el("p", { class: "hint", text: until ? `Muted until ${timeOf(until)}.` : "Muted until you unmute them." }));
  } else {
    const id = `mute-minutes-${m.id}`;
    const select = el("select", { id, dataset: { key: id } },
      ...MUTE_CHOICES.map(([v, label]) => el("option", { value: v, text: label })));
    select.value = muteChoice.has(m.id) ? muteChoice.get(m.id) : "5";
    select.addEventListener("change", () => muteChoice.set(m.id, select.value));
    box.append(el("div", { class: "mute-row" },
      el("label", { for: id }, "Mute for", vh(` ${m.name}`)), select,
      sendButton({ class: "tool", dataset: { key: `mute-${m.id}` }, onclick: () => {
        const frame = { type: "mute", user_id: m.id };
        if (select.value) frame.minutes = Number(select.value);
        send(frame);
      } }, "Mute", vh(` ${m.name}`))));
  }
  box.append(sendButton({ class: "tool", dataset: { key: `wait-${m.id}` }, onclick: () => send({ type: "to_waiting_room", user_id: m.id }) },
    "Send to waiting room", vh(` (${m.name})`)));
  box.append(sendButton({ class: "tool tool-danger", dataset: { key: `remove-${m.id}` }, "aria-haspopup": "dialog", onclick: async () => {
    const ok = await confirmAction({
      title: `Remove ${m.name} from this meeting?`,
      text: "They leave the room now and can't come back to this meeting. The room sees only that a member was removed.",
      ok: "Remove", reason: true,
    });
    if (ok) send({ type: "remove", user_id: m.id, reason: ok.reason });
  } }, "Remove", vh(` ${m.name}`)));
  box.append(sendButton({ class: "tool tool-danger", dataset: { key: `ban-${m.id}` }, "aria-haspopup": "dialog", onclick: async () => {
    const ok = await confirmAction({
      title: `Ban ${m.name} from this group?`,
      text: "They leave the room now and can't join this group's meetings again unless a host lifts the ban.",
      ok: "Ban", reason: true,
    });
    if (ok) send({ type: "ban", user_id: m.id, reason: ok.reason });
  } }, "Ban", vh(` ${m.name}`)));
};

// --- each message: Delete; a hidden one: reveal, Restore, Delete --------------------------

function deleteMessage(entry) {
  return async () => {
    const ok = await confirmAction({
      title: "Delete this message for everyone?",
      text: `The message from ${entry.f.author.name} is replaced by "Message removed by a facilitator" on every screen. This can't be undone.`,
      ok: "Delete",
    });
    if (ok) send({ type: "delete_message", message_id: entry.f.id });
  };
}

app.facilitatorMessageTools = (box, entry) => {
  box.append(sendButton({ class: "tool", dataset: { key: `delete-${entry.f.id}` }, "aria-haspopup": "dialog", onclick: deleteMessage(entry) },
    "Delete", vh(` message from ${entry.f.author.name}`)));
};

app.heldMessageTools = (li, box, entry) => {
  const id = `held-${entry.f.id}`;
  const text = el("p", { id, class: "revealed", hidden: !entry.revealed }, vh("Hidden message: "), entry.f.text);
  const show = el("button", { type: "button", class: "tool", "aria-expanded": String(entry.revealed), "aria-controls": id,
    dataset: { key: `show-${entry.f.id}` } }, "Show", vh(` the hidden message from ${entry.f.author.name}`));
  show.addEventListener("click", () => {
    entry.revealed = !entry.revealed;
    text.hidden = !entry.revealed;
    show.setAttribute("aria-expanded", String(entry.revealed));
  });
  li.append(text);
  box.append(show,
    sendButton({ class: "tool", dataset: { key: `restore-${entry.f.id}` }, onclick: () => send({ type: "restore_message", message_id: entry.f.id }) },
      "Restore", vh(` message from ${entry.f.author.name}`)),
    sendButton({ class: "tool", dataset: { key: `delete-${entry.f.id}` }, "aria-haspopup": "dialog", onclick: deleteMessage(entry) },
      "Delete", vh(` message from ${entry.f.author.name}`)));
};

// --- crisis alerts ------------------------------------------------------------------------

on("alert", (f) => {
  if (!isFacilitator()) return;
  const name = nameOf(f.user_id);
  const key = `alert-${f.user_id}`;
  const old = ui.alerts.querySelector(`[data-member="${f.user_id}"]`);
  if (old) old.remove();
  const item = el("li", { class: "support-alert", dataset: { member: String(f.user_id) } },
    el("p", { class: "support-alert-title" }, el("strong", { text: `${name} may need support.` }), " ",
      el("time", { class: "muted", datetime: new Date().toISOString(), text: timeOf(Date.now()) })),
    el("p", { text: "Something they wrote may mean they are struggling. They have been shown crisis resources privately. Their words are not shown here." }));
  const dismiss = el("button", { type: "button", class: "button button-secondary", dataset: { key: `dismiss-${key}` } },
    "Dismiss", vh(` the alert about ${name}`));
  dismiss.addEventListener("click", () => redraw(ui.alerts, () => { item.remove(); ui.alertsSection.hidden = !ui.alerts.childElementCount; }, $("messages")));
  item.append(el("div", { class: "actions" },
    el("button", { type: "button", class: "button", dataset: { key: `reply-${key}` }, onclick: () => openThread(f.user_id, name, true) },
      "Reply privately", vh(` to ${name}`)),
    dismiss));
  ui.alerts.append(item);
  ui.alertsSection.hidden = false;
  say(`${name} may need support. The alert is above the conversation.`);
});

// --- private lines with members -----------------------------------------------------------

function openThread(memberId, name, focus) {
  let t = threads.get(memberId);
  if (!t) {
    const id = `reply-${memberId}`;
    const list = el("ol", { class: "thread", "aria-label": `Private messages with ${name}` });
    const text = el("textarea", { id, rows: "2", maxlength: "2000", autocomplete: "off", "data-sends-text": "", disabled: !canSend() });
    const form = el("form", { class: "reply", autocomplete: "off", novalidate: "" },
      el("label", { for: id, text: `Reply privately to ${name}` }), text,
      el("div", { class: "control-row" }, sendButton({ type: "submit", class: "button" }, "Send reply"),
        el("button", { type: "button", class: "button button-secondary", onclick: () => closeThread(memberId) },
          "Close", vh(` the conversation with ${name}`))));
    text.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const words = text.value.trim();
      if (words && send({ type: "reply_privately", user_id: memberId, text: words })) { t.draft = words; text.value = ""; }
    });
    const card = el("article", { class: "thread-card", "aria-label": `Private line with ${name}` },
      el("h4", { text: `With ${name}` }), list, form);
    t = { card, list, text, draft: "" };
    threads.set(memberId, t);
    ui.conversations.append(card);
  }
  ui.convSection.hidden = false;
  if (focus) t.text.focus();
  return t;
}
function closeThread(memberId) {
  const t = threads.get(memberId);
  if (!t) return;
  t.card.remove(); threads.delete(memberId);  // the words go with it
  ui.convSection.hidden = threads.size === 0;
  ui.panelTitle.focus();
}

on("private_message", (f) => {
  if (!isFacilitator() || isMe(f.member.id)) return;
  const t = openThread(f.member.id, f.member.name, false);
  const mine = isMe(f.sender.id);
  t.list.append(app.threadItem(f, mine ? "You" : f.sender.name));
  if (mine) { t.draft = ""; return; }
  say(f.sender.id === f.member.id ? `Private message from ${f.sender.name}: ${f.text}`
    : `${f.sender.name} replied privately to ${f.member.name}.`);
});

/** A refused private reply: put the words back in the box they came from. */
app.replyError = (f) => {
  status(f.message);
  for (const t of threads.values()) if (t.draft && !t.text.value) { t.text.value = t.draft; t.draft = ""; }
};

// --- reported messages --------------------------------------------------------------------

function renderReport(messageId) {
  const r = reports.get(messageId);
  const who = r.author ? r.author.name : "a member";
  const reasons = [...r.reasons].map(([k, n]) => (n > 1 ? `${REASONS[k] || k} (${n})` : REASONS[k] || k)).join(", ");
  const item = el("li", { class: "report", dataset: { message: messageId } },
    el("p", {}, el("strong", { text: `Reported: ${reasons}` })),
    el("p", { class: "muted", text: `Message from ${who}:` }),
    r.text === null ? el("p", { class: "muted", text: "This message is no longer available." })
      : el("blockquote", { class: "reported-text", text: r.text }));
  if (r.hidden) item.append(el("p", { class: "hint", text: "Hidden from everyone until you review it." }));
  if (r.restored) item.append(el("p", { class: "hint", text: "Restored: everyone can see it again." }));
  const actions = el("div", { class: "actions" });
  const label = vh(` the message from ${who}`);
  if (r.hidden) {
    actions.append(sendButton({ class: "button button-secondary", dataset: { key: `rrestore-${messageId}` },
      onclick: () => send({ type: "restore_message", message_id: messageId }) }, "Restore", label.cloneNode(true)));
  }
  if (r.text !== null) {
    const entry = state.msgs.get(messageId) || { f: { id: messageId, author: r.author || { name: who } } };
    actions.append(sendButton({ class: "button button-secondary", dataset: { key: `rdelete-${messageId}` }, "aria-haspopup": "dialog",
      onclick: deleteMessage(entry) }, "Delete", label.cloneNode(true)));
  }
  actions.append(el("button", { type: "button", class: "button button-secondary", dataset: { key: `rdismiss-${messageId}` },
    onclick: () => dropReport(messageId) }, "Dismiss", vh(` the report about the message from ${who}`)));
  item.append(actions);
  redraw(ui.reports, () => (r.li ? r.li.replaceWith(item) : ui.reports.append(item)), ui.reportsTitle);
  r.li = item;
  ui.reportsSection.hidden = false;
}
function dropReport(messageId) {
  const r = reports.get(messageId);
  if (!r) return;
  reports.delete(messageId);
  redraw(ui.reports, () => r.li.remove(), ui.reportsTitle);
  ui.reportsSection.hidden = reports.size === 0;
}

on("reported", (f) => {
  if (!isFacilitator()) return;
  const r = reports.get(f.message_id) || { reasons: new Map(), author: null, text: null, hidden: false, li: null };
  r.reasons.set(f.reason, (r.reasons.get(f.reason) || 0) + 1);
  r.author = f.author || r.author;
  r.text = typeof f.text === "string" ? f.text : r.text;
  r.hidden = r.hidden || !!f.hidden;
  r.restored = false;
  reports.set(f.message_id, r);
  renderReport(f.message_id);
  say(`A message${f.author ? ` from ${f.author.name}` : ""} was reported${f.hidden ? " and is hidden until you review it" : ""}.`);
});

app.onMessageChange = (messageId, change) => {
  const r = reports.get(messageId);
  if (!r) return;
  if (change === "deleted") { dropReport(messageId); return; }
  r.hidden = change === "hidden";
  r.restored = change === "restored";
  renderReport(messageId);
};

// --- the moderation frame: waiting room, muted, just listening ----------------------------

function renderWaiting() {
  const waiting = state.mod.waiting;
  redraw(ui.waitingSection, () => {
    ui.waiting.replaceChildren(...waiting.map((m) => el("li", {},
      el("span", { text: m.name }), " ",
      sendButton({ class: "tool", dataset: { key: `admit-${m.id}` }, onclick: () => send({ type: "admit", user_id: m.id }) },
        "Admit", vh(` ${m.name}`)))));
    ui.waitingCount.textContent = `(${waiting.length})`;
    ui.admitAll.hidden = waiting.length < 2;
  }, ui.waitingTitle);
  ui.waitingSection.hidden = waiting.length === 0;
}

function renderMarks() {
  const rows = [];
  for (const [id, until] of state.mod.muted) {
    rows.push(el("li", {}, `${nameOf(id)}: muted ${until ? `until ${timeOf(until)}` : "until you unmute them"} `,
      sendButton({ class: "tool", dataset: { key: `munmute-${id}` }, onclick: () => send({ type: "unmute", user_id: id }) },
        "Unmute", vh(` ${nameOf(id)}`))));
  }
  for (const id of state.mod.listening) rows.push(el("li", { text: `${nameOf(id)}: just listening today` }));
  redraw(ui.marks, () => ui.marks.replaceChildren(...rows), ui.marksTitle);
  ui.marksSection.hidden = rows.length === 0;
}

on("moderation", (f) => {
  if (!isFacilitator()) return;
  const before = new Set(state.mod.waiting.map((m) => m.id));
  state.mod.muted = new Map((f.muted || []).map((e) => [e.user_id, e.until]));
  state.mod.listening = new Set(f.listening || []);
  state.mod.waiting = f.waiting || [];
  const arrived = state.mod.waiting.filter((m) => !before.has(m.id)).map((m) => m.name);
  if (arrived.length === 1) say(`${arrived[0]} is in the waiting room.`);
  else if (arrived.length > 1) say(`${arrived.length} people are in the waiting room.`);
  renderWaiting(); renderMarks(); app.renderPeople();
});
ui.admitAll.addEventListener("click", () => send({ type: "admit" }));
/** Once a second: a timed mute ends by itself, so it leaves the lists when `until` passes. */
app.tickModeration = () => {
  const now = Date.now();
  const over = [...state.mod.muted].filter(([, until]) => until && until <= now).map(([id]) => id);
  if (!over.length) return;
  for (const id of over) state.mod.muted.delete(id);
  renderMarks(); app.renderPeople();
};

// --- room controls ------------------------------------------------------------------------

ui.controlsToggle.addEventListener("click", () => {
  const open = ui.controls.hidden;
  ui.controls.hidden = !open;
  ui.controlsToggle.setAttribute("aria-expanded", String(open));
});
ui.lock.addEventListener("click", () => send({ type: state.settings.locked ? "unlock" : "lock" }));
ui.slowApply.addEventListener("click", () => send({ type: "slow_mode", seconds: Number(ui.slowMode.value) }));
ui.facilitated.addEventListener("click", () => send({ type: "facilitated_mode", on: !state.settings.facilitated }));
ui.takeFloor.addEventListener("click", () => send({ type: "take_floor" }));
ui.roundStart.addEventListener("click", () => send({ type: "round_start", seconds_per_turn: Number(ui.roundSeconds.value) }));
ui.roundNext.addEventListener("click", () => send({ type: "round_next" }));
ui.roundStop.addEventListener("click", () => send({ type: "round_stop" }));
ui.announcePin.addEventListener("click", () => send({ type: "announce", text: ui.announceText.value.trim() }));
ui.announceUnpin.addEventListener("click", () => send({ type: "announce", text: "" }));
ui.end.addEventListener("click", async () => {
  const ok = await confirmAction({
    title: "End the meeting for everyone?",
    text: "Everyone leaves the room and the conversation is gone. This can't be undone.",
    ok: "End meeting",
  });
  if (ok) send({ type: "end" });
});

function keepShown(node, show, fallback) {
  if (!show && node.contains(document.activeElement)) fallback.focus();
  node.hidden = !show;
}

app.onSettings = () => {
  const s = state.settings;
  ui.lock.textContent = s.locked ? "Unlock the room" : "Lock the room";
  ui.facilitated.setAttribute("aria-pressed", String(s.facilitated));
  if (document.activeElement !== ui.slowMode) ui.slowMode.value = String(s.slow_mode);
  if (ui.slowMode.value !== String(s.slow_mode)) {
    // A value this list does not offer (another client set it): show it as a choice.
    ui.slowMode.append(el("option", { value: String(s.slow_mode), text: `${s.slow_mode} seconds` }));
    ui.slowMode.value = String(s.slow_mode);
  }
};
app.onRound = () => {
  const running = !!state.round;
  keepShown(ui.roundRunning, running, ui.roundStart);
  keepShown(ui.roundIdle, !running, ui.roundNext);
};
app.onAnnouncement = () => {
  if (document.activeElement !== ui.announceText) ui.announceText.value = state.announcement ? state.announcement.text : "";
  ui.announceUnpin.hidden = !state.announcement;
};
app.onFloor = () => {
  ui.takeFloor.disabled = !canSend() || state.floor === null;
  if (isFacilitator()) app.renderPeople();  // "Give the floor" becomes "Take the floor back"
};

// --- role, leave --------------------------------------------------------------------------

/** Show or hide the panel after welcome; a page whose person is no longer a facilitator
 * forgets what the panel held. */
app.facilitatorWelcome = () => {
  const fac = isFacilitator();
  ui.panel.hidden = !fac;
  if (!fac) app.forgetFacilitator();
};
app.forgetFacilitator = () => {
  for (const memberId of [...threads.keys()]) { threads.get(memberId).card.remove(); threads.delete(memberId); }
  for (const id of [...reports.keys()]) dropReport(id);
  ui.alerts.replaceChildren(); ui.alertsSection.hidden = true; ui.convSection.hidden = true;
  state.mod = { muted: new Map(), listening: new Set(), waiting: [] };
  renderWaiting(); renderMarks();
  ui.announceText.value = "";
};
