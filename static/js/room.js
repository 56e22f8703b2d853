// Hearth room page: a dependency-free client for the meeting WebSocket (docs/protocol.md).
// This module connects, follows the connection's life (welcome, the waiting room, refusals,
// reconnecting) and runs the composer; room-view.js draws the room, room-member.js and
// room-facilitator.js add the members' and facilitators' tools.
//
// Messages live only in this page's memory: nothing goes to localStorage, sessionStorage,
// IndexedDB, the Cache API or the URL, and Leave clears the list.
import { $, app, canSend, emit, isFacilitator, isVisitor, say, send, state } from "./room-core.js";
import {
  applyBlocks, note, place, renderAnnouncement, renderHands, renderPeople, renderRound, renderSettings, tickRound,
} from "./room-view.js";
import "./room-member.js";
import "./room-facilitator.js";

const root = $("room");
const meetingId = root.dataset.meetingId;
const backUrl = root.dataset.backUrl || "/";
const ui = {
  messages: $("messages"), composer: $("composer"), text: $("message-text"), send: $("send-button"),
  count: $("message-count"), error: $("composer-error"), wait: $("composer-wait"), connection: $("connection"),
  hand: $("hand-button"), leave: $("leave-button"), lobbyMessage: $("lobby-message"), lobbyNote: $("lobby-note"), turnNote: $("turn-note"),
};
const MAX = 2000;
const LOST = "Connection lost. Reconnecting…";
const CONNECTED = "Connected. You're in the room.";
const WAITING = "You're in the waiting room. A facilitator will let you in shortly.";

function status(text, kind) {
  // Only a real change is written: a live region that is rewritten with the same words repeats them.
  if (ui.connection.textContent !== text) ui.connection.textContent = text;
  ui.connection.dataset.kind = kind || "";
}
function clientId() {
  const a = new Uint8Array(12); crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

// What may be used now: nothing that sends while the socket is down or in the waiting room;
// no writing while muted (reacting and raising a hand still work).
function refreshControls() {
  const on = canSend();
  for (const b of document.querySelectorAll("[data-sends]")) b.disabled = !on;
  for (const t of document.querySelectorAll("textarea[data-sends-text]")) t.disabled = !on;
  ui.text.disabled = !on || !!state.muted || isVisitor();
  ui.send.disabled = !on || !!state.muted || isVisitor();
  ui.hand.disabled = ui.hand.disabled || isVisitor();
  $("visitor-line").hidden = !isVisitor();
  if (app.onFloor) app.onFloor();
  renderTurnNote();
}
app.refreshControls = refreshControls;
app.canSend = canSend;
app.applyBlocks = applyBlocks;

function setEnabled(on) { state.online = on; refreshControls(); }

/** In facilitated mode only the floor holder and facilitators write: say so at the composer. */
function renderTurnNote() {
  const s = state.settings;
  const blocked = s.facilitated && !isFacilitator() && !!state.me && state.floor !== state.me.id;
  ui.turnNote.hidden = !blocked || state.phase !== "room";
}

app.renderTurnNote = renderTurnNote;

function setPhase(phase) {
  state.phase = phase;
  root.dataset.phase = phase;
}

// --- the connection -----------------------------------------------------------------------

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/meetings/${meetingId}?after_seq=${state.lastSeq}`);
  state.socket = socket;
  if (state.phase !== "waiting") status(state.attempts ? LOST : "Connecting…", "pending");
  socket.addEventListener("message", (ev) => {
    let frame;
    try { frame = JSON.parse(ev.data); } catch (_) { return; }
    handle(frame);
  });
  socket.addEventListener("close", (ev) => { if (socket === state.socket) onClose(ev.code, ev.reason); });
}

const FINAL = {
  4401: "Your login has ended. Please log in again to rejoin.",
  4403: "You can't enter this room. You may need to join the group or accept its guidelines.",
  4404: "This meeting doesn't exist.",
  4409: "This room is locked or full right now.",
  4410: "This meeting isn't open right now.",
  1008: "Your login has ended. Please log in again to rejoin.",
};
const FINAL_REASON = {
  "4403:removed": "A facilitator removed you from this meeting. If you need support, “Need help now?” at the top of the page lists people you can reach.",
  "4403:banned": "A facilitator removed you from this group, so you can't join its meetings.",
  "4409:locked": "This room is locked right now, so nobody new can come in. You can try again later.",
};

function onClose(code, reason) {
  setEnabled(false);
  if (state.leaving) return;
  if (code === 4411) {
    // Sent back to the waiting room: reconnect at once, and the server answers `waiting`.
    setPhase("waiting");
    ui.lobbyNote.hidden = false;
    status("You're in the waiting room.", "pending");
    clearTimeout(state.timer);
    state.timer = setTimeout(connect, 50);
    return;
  }
  const final = FINAL_REASON[`${code}:${reason}`] || FINAL[code];
  if (final) {
    state.leaving = true; setPhase("closed");
    status(final, "ended"); say(final);
    if (reason === "removed" || reason === "banned") forget();
    return;
  }
  state.attempts += 1;
  const base = Math.min(15000, 500 * 2 ** Math.min(state.attempts, 5));
  const wait = base / 2 + Math.random() * base / 2;  // backoff with jitter
  status(LOST, "pending");  // one steady sentence while retrying: no countdown, no flicker
  clearTimeout(state.timer);
  state.timer = setTimeout(connect, wait);
}

function handle(f) {
  if (typeof f.seq === "number") {
    if (f.seq > state.lastSeq) {
      if (state.lastSeq > 0 && f.seq > state.lastSeq + 1 && !state.replaying) {
        for (let s = state.lastSeq + 1; s < f.seq && state.gaps.size < 512; s++) state.gaps.add(s);
        send({ type: "resync", after_seq: state.lastSeq });  // a gap: ask for what we missed
      }
      state.lastSeq = f.seq;
    } else if (state.gaps.has(f.seq)) {
      state.gaps.delete(f.seq);                      // a replay filling the gap
    } else {
      return;                                        // already handled
    }
  }
  const fn = HANDLERS[f.type];
  if (fn) fn(f);
  emit(f.type, f);
}

const HANDLERS = {
  welcome(f) {
    const roleChanged = !state.me || state.me.role !== f.you.role;
    state.me = f.you; state.attempts = 0;
    const room = f.room;
    state.members = new Map(room.members.map((m) => [m.id, m]));
    state.hands = room.hands; state.floor = room.floor;
    state.settings = { locked: !!room.locked, slow_mode: room.slow_mode || 0, facilitated: !!room.facilitated };
    state.round = room.round || null; state.announcement = room.announcement || null;
    state.roomSeq = room.seq; state.applied.clear();
    setPhase("room");
    app.facilitatorWelcome();
    app.memberWelcome(f);
    renderSettings(); renderAnnouncement(); renderRound(); renderPeople(); renderHands(); applyBlocks();
    if (roleChanged) for (const entry of state.msgs.values()) app.renderMessage(entry);  // tools follow the role
    ui.lobbyNote.hidden = true;
    status(CONNECTED, "ok"); setEnabled(true);
    state.replaying = true;  // the server now replays what we missed, then says `replayed`
  },
  waiting(f) {
    state.me = f.you; state.attempts = 0;
    setPhase("waiting");
    if (f.message && ui.lobbyMessage.textContent !== f.message) ui.lobbyMessage.textContent = f.message;
    status("You're in the waiting room.", "pending");
    setEnabled(true);  // online, but nothing that sends is usable until admitted
  },
  admitted() {
    // `welcome` follows on this socket; until then, say what happened.
    ui.lobbyNote.hidden = true;
    say("A facilitator let you in. Welcome.");
  },
  error(f) {
    // Only a refused `say` names itself (client_id); otherwise the last frame sent is the one.
    if (!f.client_id && state.lastSent === "ask_facilitator") { app.privateError(f); return; }
    if (!f.client_id && state.lastSent === "reply_privately") { app.replyError(f); return; }
    showError(f);
  },
  replayed() {
    // The replay is complete: anything still pending was never delivered, so send it now.
    state.replaying = false;
    for (const [cid, text] of state.pending) send({ type: "say", text, client_id: cid });
  },
  missed(f) { note(f.message || "You may have missed some messages while you were away."); },
  ended() {
    state.leaving = true; setPhase("closed");
    status("This meeting has ended. Thank you for being here.", "ended");
    setEnabled(false); say("The meeting has ended.");
  },
  pong() {},
};

// --- refusals at the composer -------------------------------------------------------------

// The server's sentence is written for the person (docs/protocol.md); these stand in if it is missing.
const PLAIN = {
  forbidden: "Only a facilitator can do that.",
  not_your_turn: "Sharing one at a time: raise your hand, and write when a facilitator gives you the floor.",
  waiting: WAITING,
  not_found: "That person or message is no longer in the room.",
};

function showError(f) {
  let text = f.message || PLAIN[f.code] || "That didn't work. Please try again.";
  if (f.code === "muted") {
    app.setMuted({ until: typeof f.until === "number" ? f.until : null }, true);
    text = "";  // the mute line says it
  }
  if (typeof f.retry_after === "number" && f.retry_after > 0) {
    state.waitUntil = Date.now() + f.retry_after * 1000;
    const s = f.retry_after === 1 ? "second" : "seconds";
    text = `${f.message} You can send again in ${f.retry_after} ${s}.`;
    tickWait();
  }
  if (text) { ui.error.textContent = text; ui.error.hidden = false; }
  if (f.client_id) restoreDraft(f.client_id);
}

/** The retry countdown, once a second, beside (not inside) the error's live region. */
function tickWait() {
  const left = Math.ceil((state.waitUntil - Date.now()) / 1000);
  if (left <= 0) { ui.wait.hidden = true; ui.wait.textContent = ""; return; }
  const text = `You can send again in ${left} s.`;
  if (ui.wait.textContent !== text) ui.wait.textContent = text;
  ui.wait.hidden = false;
}

function restoreDraft(cid) {
  const text = state.pending.get(cid);
  state.pending.delete(cid);
  const draft = ui.messages.querySelector(`[data-client-id="${CSS.escape(cid)}"]`);
  if (draft) draft.remove();
  if (text !== undefined && !ui.text.value) { ui.text.value = text; updateCount(); }
}

// --- the composer and the room's buttons --------------------------------------------------

function updateCount() {
  const n = ui.text.value.length;
  ui.count.textContent = `${n} / ${MAX}`;
  ui.count.setAttribute("aria-live", n > MAX - 100 ? "polite" : "off");
}

ui.text.addEventListener("input", () => { updateCount(); ui.error.hidden = true; });
ui.text.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); ui.composer.requestSubmit(); }
});
ui.composer.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = ui.text.value.trim();
  if (!text || state.muted) return;
  if (Date.now() < state.waitUntil) { tickWait(); return; }  // keep the draft; the countdown says when
  const cid = clientId();
  state.pending.set(cid, text);
  const draft = document.createElement("li");
  draft.className = "message pending"; draft.dataset.clientId = cid;
  draft.textContent = `${text} (sending…)`;
  place(draft, 0);
  send({ type: "say", text, client_id: cid });
  ui.error.hidden = true;
  ui.text.value = ""; updateCount(); ui.text.focus();
});
ui.hand.addEventListener("click", () => {
  const raised = state.me && state.hands.includes(state.me.id);
  send({ type: raised ? "lower_hand" : "raise_hand" });
});

/** Forget everything said that this page holds. */
function forget() {
  ui.messages.replaceChildren(); state.pending.clear(); state.seen.clear(); state.msgs.clear(); state.changes.clear();
  state.announcement = null; renderAnnouncement();
  app.forgetMember(); app.forgetFacilitator();
}
ui.leave.addEventListener("click", () => {
  state.leaving = true; send({ type: "leave" });
  if (state.socket) state.socket.close(1000);
  forget();
  location.assign(backUrl);
});
// A page brought back from the back/forward cache would show a closed room: load it afresh.
window.addEventListener("pageshow", (ev) => { if (ev.persisted) location.reload(); });
setInterval(() => send({ type: "ping" }), 25000);
setInterval(() => { tickRound(); tickWait(); app.tickMute(); if (app.tickModeration) app.tickModeration(); }, 1000);
updateCount();
refreshControls();
connect();
