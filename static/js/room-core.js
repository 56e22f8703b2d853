// Hearth room page, shared parts: the page's state, sending frames, announcements and dialogs.
// Every other room module imports this one; it imports nothing.
//
// Chat text (messages, private lines, reports, the pinned note) lives only in this page's
// memory: never in localStorage, sessionStorage, IndexedDB, the Cache API, a cookie or the URL.

export const $ = (id) => document.getElementById(id);

// Room roles by standing (moderation/permissions.py): a higher rank includes the lower powers.
export const RANK = { visitor: 0, member: 1, facilitator: 2, host: 3, admin: 4 };

export const state = {
  socket: null, online: false, me: null, lastSeq: 0, members: new Map(), hands: [], floor: null,
  seen: new Set(), gaps: new Set(), pending: new Map(), attempts: 0, leaving: false, timer: null,
  roomSeq: 0, applied: new Map(), replaying: false,
  phase: "connecting",        // connecting | waiting (the waiting room) | room | closed
  settings: { locked: false, slow_mode: 0, facilitated: false },
  round: null, announcement: null,
  muted: null,                // {until: unix ms | null} while a facilitator has muted you
  listening: false, blocked: new Set(),
  waitUntil: 0,               // ms: slow mode or the rate limit says wait until then to send
  lastSent: "",               // type of the last frame sent (pings aside): where an error belongs
  msgs: new Map(),            // message id -> {f, li, change, counts, revealed, changeSeq}
  changes: new Map(),         // message id -> [seq, change] for a message not received yet
  openTools: new Set(),       // member ids whose options are expanded in the member list
  mod: { muted: new Map(), listening: new Set(), waiting: [] },  // facilitators only
};

// Functions the modules lend each other (renderPeople, renderMessage, refreshControls, ...).
export const app = {};

const listeners = new Map();
/** Run `fn(frame)` for every server frame of `type` (after the page's own handling). */
export function on(type, fn) {
  if (!listeners.has(type)) listeners.set(type, []);
  listeners.get(type).push(fn);
}
export function emit(type, frame) {
  for (const fn of listeners.get(type) || []) fn(frame);
}

export function send(frame) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify(frame));
    if (frame.type !== "ping") state.lastSent = frame.type;
    return true;
  }
  return false;
}

/** Whether controls that send may be used now (connected and in the room, not the lobby). */
export function canSend() { return state.online && state.phase === "room"; }
export function isMe(id) { return !!state.me && state.me.id === id; }
/** A visitor trying the group for one meeting listens and reacts (the server refuses the rest). */
export function isVisitor() { return !!state.me && state.me.role === "visitor"; }
export function isFacilitator() { return !!state.me && (RANK[state.me.role] || 0) >= RANK.facilitator; }
/** Whether I may mute, move, remove or ban someone with `role`: only someone I outrank. */
export function outranks(role) {
  const mine = (state.me && RANK[state.me.role]) || 0;
  return mine === RANK.admin || mine > (RANK[role] || RANK.member);
}
export function nameOf(id) { const m = state.members.get(id); return m ? m.name : "A member"; }
export function timeOf(ms) { return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }
/** 75 -> "1:15" */
export function clock(seconds) { return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`; }

/** A DOM element: el("button", {type: "button", class: "x", onclick: fn}, "text", child). */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (typeof v === "boolean" || typeof v === "number") node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}
/** Words for screen readers only, e.g. the name in "Mute<span> Sam</span>". */
export function vh(text) { return el("span", { class: "visually-hidden", text }); }
/** A button that sends a frame: disabled while nothing can be sent (see refreshControls). */
export function sendButton(props, ...children) {
  return el("button", { type: "button", "data-sends": "", disabled: !canSend(), ...props }, ...children);
}

// Live regions: `say` is polite (the room, notices, others' news); `urgent` is assertive and
// kept for what concerns this person directly (muted, crisis resources). Several calls in a
// row are read as one.
function announcer(node) {
  let queue = [];
  let timer = null;
  return (text) => {
    if (!node || !text) return;
    queue.push(text);
    if (timer) return;
    node.textContent = "";
    timer = setTimeout(() => { node.textContent = queue.join(" "); queue = []; timer = null; }, 60);
  };
}
export const say = announcer($("announcer"));
export const urgent = announcer($("urgent"));

function focusable(node) {
  return !!node && node.isConnected && !node.disabled && node.getClientRects().length > 0;
}
function byKey(key) { return key ? document.querySelector(`[data-key="${CSS.escape(key)}"]`) : null; }

/** Re-draw `container` with `draw()`, keeping keyboard focus on the same control (by its
 * `data-key`) if it is still there, else on `fallback`. */
export function redraw(container, draw, fallback) {
  const active = document.activeElement;
  const inside = !!active && container.contains(active);
  const key = inside ? active.dataset.key : undefined;
  draw();
  if (!inside) return;
  const again = byKey(key);
  if (focusable(again)) again.focus();
  else if (fallback && focusable(fallback)) fallback.focus();
}

/** Open a modal <dialog>, focus `first` (or its heading), and give focus back to the control
 * that opened it when it closes. Resolves with the dialog's returnValue. */
export function showDialog(dialog, first) {
  const opener = document.activeElement;
  const key = opener && opener.dataset ? opener.dataset.key : undefined;
  dialog.returnValue = "";
  dialog.showModal();
  (first || dialog.querySelector("h2")).focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      const back = focusable(opener) ? opener : byKey(key);
      if (focusable(back)) back.focus();
      else $("main").focus();
      resolve(dialog.returnValue);
    }, { once: true });
  });
}

/** Ask before a serious step. Resolves to {reason} on confirm, null on cancel. */
export async function confirmAction({ title, text, ok, reason = false, danger = true }) {
  const dialog = $("confirm-dialog");
  const field = $("confirm-reason");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = ok;
  $("confirm-ok").className = danger ? "button button-danger" : "button";
  $("confirm-reason-field").hidden = !reason;
  field.value = "";
  const answer = await showDialog(dialog, reason ? field : $("confirm-cancel"));
  const given = field.value.trim();
  field.value = "";
  return answer === "confirm" ? { reason: given } : null;
}
