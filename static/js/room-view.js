// Hearth room page, what everyone sees: the conversation, who is here, hands and floor, the
// room's settings line, the pinned announcement and the sharing round (docs/protocol.md).
import {
  $, app, clock, el, isFacilitator, isMe, nameOf, on, redraw, say, sendButton, send, state, timeOf, vh,
} from "./room-core.js";

const ui = {
  messages: $("messages"), people: $("people"), peopleCount: $("people-count"), hands: $("hands"),
  handsEmpty: $("hands-empty"), floor: $("floor"), hand: $("hand-button"), pass: $("pass-button"),
  settings: $("room-settings"), announcement: $("announcement"), announcementBy: $("announcement-by"),
  announcementText: $("announcement-text"), round: $("round"), roundTurn: $("round-turn"),
  roundTimer: $("round-timer"), roundOrder: $("round-order"), peopleTitle: $("people-title"),
};
// [protocol name, symbol, short visible word, what it says] — the word shows even where a
// device has no emoji font, and makes each one's meaning plain.
const REACTIONS = [["heart", "❤", "Love", "Send love"], ["me_too", "🤝", "Me too", "Me too"],
  ["thanks", "🙏", "Thanks", "Thank you"], ["hug", "🫂", "Hug", "Hug"], ["strength", "💪", "Strength", "Strength"]];
const REMOVED = "Message removed by a facilitator.";
const HIDDEN = "Hidden until a facilitator reviews it.";

// Rule 2 of docs/protocol.md: a hand, floor, presence or settings event older than what we
// know is history.
export function fresher(key, seq) {
  if (seq <= Math.max(state.roomSeq, state.applied.get(key) || 0)) return false;
  state.applied.set(key, seq); return true;
}

// --- the conversation ---------------------------------------------------------------------

export function note(text, seq) {
  const li = el("li", { class: "system", text });
  if (seq) li.dataset.seq = String(seq);
  place(li, seq || 0);
}

// Put an item in seq order (a filled gap lands where it belongs); unnumbered items go last.
// The list follows new items only if the reader was already at the bottom.
export function place(li, seq) {
  const list = ui.messages;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const later = seq ? [...list.querySelectorAll("li[data-seq]")].find((n) => Number(n.dataset.seq) > seq) : null;
  list.insertBefore(li, later || null);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function labelReaction(button, n) {
  const count = button.querySelector(".count");
  count.textContent = n ? String(n) : "";
  const label = `${button.dataset.label} (to ${button.dataset.author})`;
  button.setAttribute("aria-label", n ? `${label}, ${n}` : label);
}

function reactionButtons(entry) {
  const f = entry.f;
  const box = el("div", { class: "reactions" });
  for (const [key, emoji, word, label] of REACTIONS) {
    const b = sendButton({ class: "reaction", dataset: { reaction: key, label, author: f.author.name } },
      el("span", { "aria-hidden": "true", text: emoji }), " ",
      el("span", { "aria-hidden": "true", text: word }), " ", el("span", { class: "count" }));
    labelReaction(b, entry.counts[key] || 0);
    b.addEventListener("click", () => send({ type: "react", message_id: f.id, reaction: key }));
    box.append(b);
  }
  return box;
}

/** (Re)draw one message's item from its entry: as said, hidden after reports, or removed. */
export function renderMessage(entry) {
  const { f, li } = entry;
  li.hidden = state.blocked.has(f.author.id) && !isMe(f.author.id);
  if (entry.change === "deleted") {
    li.className = "system removed"; li.replaceChildren(REMOVED); return;
  }
  li.className = entry.change === "hidden" ? "message held" : "message";
  const when = el("time", { datetime: new Date(f.ts).toISOString(), text: timeOf(f.ts) });
  const head = el("p", { class: "meta" }, el("strong", { text: f.author.name }), " ", when);
  const tools = el("div", { class: "message-tools" });
  if (entry.change === "hidden") {
    li.replaceChildren(head, el("p", { class: "text", text: HIDDEN }));
    if (isFacilitator() && app.heldMessageTools) app.heldMessageTools(li, tools, entry);
    if (tools.childElementCount) li.append(tools);
    return;
  }
  if (app.messageTools) app.messageTools(tools, entry);
  const foot = el("div", { class: "message-foot" }, reactionButtons(entry));
  if (tools.childElementCount) foot.append(tools);
  li.replaceChildren(head, el("p", { class: "text", text: f.text }), foot);
}

function applyChange(entry, change, seq) {
  if (entry.change === "deleted" || seq <= (entry.changeSeq || 0)) return;  // removal is final
  entry.changeSeq = seq;
  entry.change = change === "restored" ? null : change;
  entry.revealed = false;
  if (change === "deleted") entry.f = { ...entry.f, text: "" };  // forget the words at once
  redraw(entry.li, () => renderMessage(entry), ui.messages);
  if (app.onMessageChange) app.onMessageChange(entry.f.id, change);
}

/** Show or hide messages by members you blocked (their new ones are no longer sent to you). */
export function applyBlocks() {
  for (const entry of state.msgs.values()) {
    entry.li.hidden = state.blocked.has(entry.f.author.id) && !isMe(entry.f.author.id);
  }
}

on("message", (f) => {
  if (state.seen.has(f.id)) return;
  state.seen.add(f.id);
  let cid = f.client_id;
  if (!cid && state.me && f.author.id === state.me.id) {
    // A replayed copy of our own message (its echo was lost): match it to the draft.
    for (const [k, text] of state.pending) { if (text === f.text) { cid = k; break; } }
  }
  if (cid && state.pending.has(cid)) {
    state.pending.delete(cid);
    const draft = ui.messages.querySelector(`[data-client-id="${CSS.escape(cid)}"]`);
    if (draft) draft.remove();
  }
  const li = el("li", { dataset: { id: f.id, seq: String(f.seq) } });
  const entry = { f, li, change: null, counts: {}, revealed: false, changeSeq: 0 };
  state.msgs.set(f.id, entry);
  const early = state.changes.get(f.id);  // a change that arrived before the message did
  state.changes.delete(f.id);
  if (early && early[0] > f.seq) { entry.changeSeq = early[0]; entry.change = early[1] === "restored" ? null : early[1]; }
  if (entry.change === "deleted") entry.f = { ...f, text: "" };
  renderMessage(entry);
  place(li, f.seq);
});

on("message_change", (f) => {
  const entry = state.msgs.get(f.message_id);
  if (entry) { applyChange(entry, f.change, f.seq); return; }
  const known = state.changes.get(f.message_id);
  if (!known || (known[1] !== "deleted" && known[0] < f.seq)) state.changes.set(f.message_id, [f.seq, f.change]);
});

on("reaction", (f) => {
  const entry = state.msgs.get(f.message_id);
  if (!entry || state.blocked.has(f.by.id)) return;
  entry.counts[f.reaction] = (entry.counts[f.reaction] || 0) + 1;
  const button = entry.li.querySelector(`[data-reaction="${f.reaction}"]`);
  if (button) labelReaction(button, entry.counts[f.reaction]);
});

const NOTICES = {
  removed: "A member was removed by a facilitator.",
  to_waiting_room: "A member was moved to the waiting room.",
};
on("notice", (f) => note(NOTICES[f.kind] || "A facilitator made a change.", f.seq));

on("presence", (f) => {
  const m = f.member;
  if (fresher(`presence:${m.id}`, f.seq)) {
    if (f.kind === "left") state.members.delete(m.id);
    else state.members.set(m.id, { ...m, status: f.kind === "reconnecting" ? "reconnecting" : "present" });
    renderPeople();
  }
  if (isMe(m.id)) return;  // no notes about your own comings and goings
  const text = { joined: "joined.", reconnecting: "is reconnecting…", returned: "is back.", left: "left." }[f.kind];
  if (text) note(`${m.name} ${text}`, f.seq);
});

// --- people, hands and the floor ----------------------------------------------------------

function badge(text, kind) { return el("span", { class: kind ? `badge badge-${kind}` : "badge", text }); }

export function renderPeople() {
  redraw(ui.people, () => {
    ui.people.replaceChildren();
    const sorted = [...state.members.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const m of sorted) {
      const me = isMe(m.id);
      const line = el("div", { class: "person" }, el("span", { class: "person-name", text: m.name + (me ? " (you)" : "") }));
      if (m.role !== "member") line.append(" ", badge(m.role));
      const muted = me ? !!state.muted : state.mod.muted.has(m.id);
      const listening = me ? state.listening : state.mod.listening.has(m.id);
      if (muted) line.append(" ", badge("muted", "muted"));
      if (listening) line.append(" ", badge("just listening", "quiet"));
      if (state.blocked.has(m.id)) line.append(" ", badge("blocked", "muted"));
      if (m.status === "reconnecting") line.append(el("span", { class: "muted", text: " reconnecting…" }));
      const li = el("li", { dataset: { id: String(m.id) } }, line);
      if (!me && app.personTools) app.personTools(li, line, m);
      ui.people.append(li);
    }
    ui.peopleCount.textContent = `(${state.members.size})`;
  }, ui.peopleTitle);
}

export function renderHands() {
  ui.hands.replaceChildren(...state.hands.map((id) => el("li", { text: nameOf(id) })));
  ui.handsEmpty.hidden = state.hands.length > 0;
  ui.floor.textContent = state.floor ? `${nameOf(state.floor)} has the floor.` : "Nobody has the floor.";
  const raised = state.me && state.hands.includes(state.me.id);
  ui.hand.textContent = raised ? "Lower hand" : "Raise hand";
  ui.hand.setAttribute("aria-pressed", raised ? "true" : "false");
  renderPass();
  if (app.renderTurnNote) app.renderTurnNote();
  if (app.onFloor) app.onFloor();
}

/** Pass is offered when it is your turn in a round, or you hold the floor. */
function renderPass() {
  const mine = !!state.me && (state.floor === state.me.id || (!!state.round && state.round.turn === state.me.id));
  if (!mine && ui.pass.contains(document.activeElement)) ui.hand.focus();
  ui.pass.hidden = !mine;
}

on("hand", (f) => {
  if (!fresher("hands", f.seq)) return;
  state.hands = f.hands; renderHands();
});
on("floor", (f) => {
  if (!fresher("floor", f.seq)) return;
  state.floor = f.holder; renderHands();
  if (f.holder !== null && isMe(f.holder) && !(state.round && state.round.turn === f.holder)) say("You have the floor.");
});

// --- the room's settings line -------------------------------------------------------------

const FACILITATED = "Sharing one at a time — raise your hand.";

export function renderSettings() {
  const s = state.settings;
  const parts = [];
  if (s.locked) parts.push("The room is locked: nobody new can come in.");
  if (s.slow_mode) parts.push(`Slow mode: one message every ${s.slow_mode} seconds each.`);
  if (s.facilitated) parts.push(FACILITATED);
  ui.settings.replaceChildren(...parts.flatMap((p, i) => (i ? [" ", el("span", { text: p })] : [el("span", { text: p })])));
  ui.settings.hidden = parts.length === 0;
  if (app.renderTurnNote) app.renderTurnNote();
  if (app.onSettings) app.onSettings();
}

on("settings", (f) => {
  if (!fresher("settings", f.seq)) return;
  const was = state.settings;
  state.settings = { locked: f.locked, slow_mode: f.slow_mode, facilitated: f.facilitated };
  const news = [];
  if (f.locked !== was.locked) news.push(f.locked ? "The room is now locked." : "The room is unlocked.");
  if (f.slow_mode !== was.slow_mode) {
    news.push(f.slow_mode ? `Slow mode is on: one message every ${f.slow_mode} seconds each.` : "Slow mode is off.");
  }
  if (f.facilitated !== was.facilitated) news.push(f.facilitated ? FACILITATED : "Anyone may write again.");
  renderSettings();
  say(news.join(" "));
});

// --- the pinned announcement --------------------------------------------------------------

export function renderAnnouncement() {
  const a = state.announcement;
  ui.announcement.hidden = !a;
  ui.announcementBy.textContent = a ? a.by.name : "";
  ui.announcementText.textContent = a ? a.text : "";
  if (app.onAnnouncement) app.onAnnouncement();
}

on("announcement", (f) => {
  if (!fresher("announcement", f.seq)) return;
  state.announcement = f.announcement;
  renderAnnouncement();
  say(f.announcement ? `${f.announcement.by.name} pinned an announcement: ${f.announcement.text}`
    : "The pinned announcement was removed.");
});

// --- the sharing round --------------------------------------------------------------------

export function renderRound() {
  const r = state.round;
  ui.round.hidden = !r;
  if (!r) { ui.roundOrder.replaceChildren(); renderPass(); if (app.onRound) app.onRound(); return; }
  ui.roundTurn.textContent = r.turn === null ? "Waiting for the next turn."
    : isMe(r.turn) ? "It's your turn to share. You can pass if you'd rather not." : `It's ${nameOf(r.turn)}'s turn.`;
  ui.roundOrder.replaceChildren(...r.order.map((id) => {
    const li = el("li", { text: nameOf(id) + (isMe(id) ? " (you)" : "") });
    if (id === r.turn) { li.className = "current"; li.setAttribute("aria-current", "step"); li.append(vh(" (sharing now)")); }
    return li;
  }));
  tickRound();
  renderPass();
  if (app.onRound) app.onRound();
}

/** The visible countdown, once a second. Not a live region: the turn change is announced. */
export function tickRound() {
  const r = state.round;
  if (!r || r.turn === null || !r.turn_ends_at) { ui.roundTimer.hidden = true; return; }
  let left = Math.ceil((r.turn_ends_at - Date.now()) / 1000);
  left = Math.max(0, r.seconds_per_turn ? Math.min(left, r.seconds_per_turn) : left);  // a fast clock shows no more than a turn
  const text = left > 0 ? `${clock(left)} left in this turn` : "Time is up for this turn.";
  if (ui.roundTimer.textContent !== text) ui.roundTimer.textContent = text;
  ui.roundTimer.hidden = false;
}

on("round", (f) => {
  if (!fresher("round", f.seq)) return;
  const was = state.round;
  state.round = f.round;
  renderRound();
  const r = f.round;
  if (!r) { if (was) say("The sharing round has ended."); return; }
  const news = was ? [] : ["A sharing round has started."];
  if (r.turn !== null && (!was || was.turn !== r.turn)) {
    news.push(isMe(r.turn) ? "It's your turn to share. You can pass if you'd rather not." : `It's ${nameOf(r.turn)}'s turn.`);
  }
  say(news.join(" "));
});

app.renderMessage = renderMessage;
app.renderPeople = renderPeople;
app.renderHands = renderHands;
