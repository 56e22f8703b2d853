// Hearth room page: a dependency-free client for the meeting WebSocket (docs/protocol.md).
// Messages live only in this page's memory: nothing goes to localStorage, sessionStorage,
// IndexedDB, the Cache API or the URL, and Leave clears the list.
"use strict";

(function () {
  const root = document.getElementById("room");
  if (!root) return;
  const meetingId = root.dataset.meetingId;
  const backUrl = root.dataset.backUrl || "/";
  const $ = (id) => document.getElementById(id);
  const ui = {
    messages: $("messages"), composer: $("composer"), text: $("message-text"), send: $("send-button"),
    count: $("message-count"), error: $("composer-error"), connection: $("connection"),
    hand: $("hand-button"), leave: $("leave-button"), hands: $("hands"), handsEmpty: $("hands-empty"),
    floor: $("floor"), people: $("people"), peopleCount: $("people-count"), announcer: $("announcer"),
  };
  // [protocol name, symbol, short visible word, what it says] — the word shows even where a
  // device has no emoji font, and makes each one's meaning plain.
  const REACTIONS = [["heart", "❤", "Love", "Send love"], ["me_too", "🤝", "Me too", "Me too"],
    ["thanks", "🙏", "Thanks", "Thank you"], ["hug", "🫂", "Hug", "Hug"], ["strength", "💪", "Strength", "Strength"]];
  const MAX = 2000;

  const state = {
    socket: null, online: false, me: null, lastSeq: 0, members: new Map(), hands: [], floor: null,
    seen: new Set(), gaps: new Set(), pending: new Map(), attempts: 0, leaving: false, closedFor: null, timer: null,
    roomSeq: 0, applied: new Map(),  // the seq the room state is known as of: welcome's, then per thing
  };
  const LOST = "Connection lost. Reconnecting…";

  function say(text) { ui.announcer.textContent = ""; setTimeout(() => { ui.announcer.textContent = text; }, 30); }
  function status(text, kind) {
    // Only a real change is written: a live region that is rewritten with the same words repeats them.
    if (ui.connection.textContent !== text) ui.connection.textContent = text;
    ui.connection.dataset.kind = kind || "";
  }
  // Rule 2 of docs/protocol.md: a hand, floor or presence event older than what we know is history.
  function fresher(key, seq) {
    if (seq <= Math.max(state.roomSeq, state.applied.get(key) || 0)) return false;
    state.applied.set(key, seq); return true;
  }
  function isMe(id) { return !!state.me && state.me.id === id; }
  function nameOf(id) { const m = state.members.get(id); return m ? m.name : "A member"; }
  function clientId() {
    const a = new Uint8Array(12); crypto.getRandomValues(a);
    return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function timeOf(ms) { return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }

  // While the socket is down nothing can be sent: say so by disabling every control that sends.
  function setEnabled(on) {
    state.online = on;
    ui.text.disabled = !on; ui.send.disabled = !on; ui.hand.disabled = !on;
    for (const b of ui.messages.querySelectorAll("button.reaction")) b.disabled = !on;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/meetings/${meetingId}?after_seq=${state.lastSeq}`);
    state.socket = socket;
    status(state.attempts ? LOST : "Connecting…", "pending");
    socket.addEventListener("message", (ev) => {
      let frame;
      try { frame = JSON.parse(ev.data); } catch (_) { return; }
      handle(frame);
    });
    socket.addEventListener("close", (ev) => onClose(ev.code));
  }

  const FINAL = {
    4401: "Your login has ended. Please log in again to rejoin.",
    4403: "You can't enter this room. You may need to join the group or accept its guidelines.",
    4404: "This meeting doesn't exist.",
    4409: "This room is locked or full right now.",
    4410: "This meeting isn't open right now.",
    1008: "Your login has ended. Please log in again to rejoin.",
  };

  function onClose(code) {
    setEnabled(false);
    if (state.leaving) return;
    if (FINAL[code]) { status(FINAL[code], "ended"); say(FINAL[code]); return; }
    state.attempts += 1;
    const base = Math.min(15000, 500 * 2 ** Math.min(state.attempts, 5));
    const wait = base / 2 + Math.random() * base / 2;  // backoff with jitter
    status(LOST, "pending");  // one steady sentence while retrying: no countdown, no flicker
    clearTimeout(state.timer);
    state.timer = setTimeout(connect, wait);
  }

  function send(frame) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(frame)); return true;
    }
    return false;
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
  }

  const HANDLERS = {
    welcome(f) {
      state.me = f.you; state.attempts = 0;
      state.members = new Map(f.room.members.map((m) => [m.id, m]));
      state.hands = f.room.hands; state.floor = f.room.floor;
      state.roomSeq = f.room.seq; state.applied.clear();
      renderPeople(); renderHands();
      status("Connected. You're in the room.", "ok"); setEnabled(true);
      state.replaying = true;  // the server now replays what we missed, then says `replayed`
    },
    message(f) {
      if (state.seen.has(f.id)) return;
      state.seen.add(f.id);
      let cid = f.client_id;
      if (!cid && state.me && f.author.id === state.me.id) {
        // A replayed copy of our own message (its echo was lost): match it to the draft.
        for (const [k, text] of state.pending) { if (text === f.text) { cid = k; break; } }
      }
      if (cid && state.pending.has(cid)) {
        state.pending.delete(cid);
        const draft = ui.messages.querySelector(`[data-client-id="${cid}"]`);
        if (draft) draft.remove();
      }
      place(messageItem(f), f.seq);
    },
    presence(f) {
      const m = f.member;
      if (fresher(`presence:${m.id}`, f.seq)) {
        if (f.kind === "left") state.members.delete(m.id);
        else state.members.set(m.id, { ...m, status: f.kind === "reconnecting" ? "reconnecting" : "present" });
        renderPeople();
      }
      if (isMe(m.id)) return;  // no notes about your own comings and goings
      const text = { joined: "joined.", reconnecting: "is reconnecting…", returned: "is back.", left: "left." }[f.kind];
      if (text) note(`${m.name} ${text}`, f.seq);
    },
    hand(f) {
      if (!fresher("hands", f.seq)) return;
      state.hands = f.hands; renderHands();
    },
    floor(f) {
      if (!fresher("floor", f.seq)) return;
      state.floor = f.holder; renderHands();
      if (f.holder !== null && f.holder === (state.me && state.me.id)) say("You have the floor.");
    },
    reaction(f) {
      const item = ui.messages.querySelector(`[data-id="${CSS.escape(f.message_id)}"]`);
      if (!item) return;
      const button = item.querySelector(`[data-reaction="${f.reaction}"]`);
      if (button) labelReaction(button, Number(button.dataset.count || 0) + 1);
    },
    error(f) {
      ui.error.textContent = f.message; ui.error.hidden = false;
      if (f.client_id) restoreDraft(f.client_id);
    },
    replayed() {
      // The replay is complete: anything still pending was never delivered, so send it now.
      state.replaying = false;
      for (const [cid, text] of state.pending) send({ type: "say", text, client_id: cid });
    },
    missed(f) { note(f.message || "You may have missed some messages while you were away."); },
    ended() {
      state.leaving = true; status("This meeting has ended. Thank you for being here.", "ended");
      setEnabled(false); say("The meeting has ended.");
    },
    pong() {},
  };

  function note(text, seq) {
    const li = document.createElement("li");
    li.className = "system"; li.textContent = text;
    if (seq) { li.dataset.seq = String(seq); place(li, seq); } else place(li, 0);
  }

  // Put an item in seq order (a filled gap lands where it belongs); unnumbered items go last.
  // The list follows new items only if the reader was already at the bottom.
  function place(li, seq) {
    const list = ui.messages;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const later = seq ? [...list.querySelectorAll("li[data-seq]")].find((el) => Number(el.dataset.seq) > seq) : null;
    list.insertBefore(li, later || null);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function labelReaction(button, n) {
    const count = button.querySelector(".count");
    button.dataset.count = String(n);
    count.textContent = n ? String(n) : "";
    const label = `${button.dataset.label} (to ${button.dataset.author})`;
    button.setAttribute("aria-label", n ? `${label}, ${n}` : label);
  }

  function messageItem(f) {
    const li = document.createElement("li");
    li.className = "message"; li.dataset.id = f.id; li.dataset.seq = String(f.seq);
    const head = document.createElement("p"); head.className = "meta";
    const who = document.createElement("strong"); who.textContent = f.author.name;
    const when = document.createElement("time"); when.dateTime = new Date(f.ts).toISOString();
    when.textContent = timeOf(f.ts);
    head.append(who, " ", when);
    const body = document.createElement("p"); body.className = "text"; body.textContent = f.text;
    const reactions = document.createElement("div"); reactions.className = "reactions";
    for (const [key, emoji, word, label] of REACTIONS) {
      const b = document.createElement("button");
      b.type = "button"; b.className = "reaction"; b.dataset.reaction = key;
      b.dataset.label = label; b.dataset.author = f.author.name;
      const e = document.createElement("span"); e.setAttribute("aria-hidden", "true"); e.textContent = emoji;
      const w = document.createElement("span"); w.setAttribute("aria-hidden", "true"); w.textContent = word;
      const c = document.createElement("span"); c.className = "count";
      b.append(e, " ", w, " ", c);
      labelReaction(b, 0); b.disabled = !state.online;
      b.addEventListener("click", () => send({ type: "react", message_id: f.id, reaction: key }));
      reactions.appendChild(b);
    }
    li.append(head, body, reactions);
    return li;
  }

  function restoreDraft(cid) {
    const text = state.pending.get(cid);
    state.pending.delete(cid);
    const draft = ui.messages.querySelector(`[data-client-id="${cid}"]`);
    if (draft) draft.remove();
    if (text !== undefined && !ui.text.value) { ui.text.value = text; updateCount(); }
  }

  function renderPeople() {
    ui.people.replaceChildren();
    const sorted = [...state.members.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const m of sorted) {
      const li = document.createElement("li");
      li.textContent = m.name + (state.me && m.id === state.me.id ? " (you)" : "");
      if (m.role !== "member") {
        const r = document.createElement("span"); r.className = "badge"; r.textContent = m.role;
        li.append(" ", r);
      }
      if (m.status === "reconnecting") {
        const s = document.createElement("span"); s.className = "muted"; s.textContent = " reconnecting…";
        li.append(s);
      }
      ui.people.appendChild(li);
    }
    ui.peopleCount.textContent = `(${state.members.size})`;
  }

  function renderHands() {
    ui.hands.replaceChildren();
    for (const id of state.hands) {
      const li = document.createElement("li"); li.textContent = nameOf(id); ui.hands.appendChild(li);
    }
    ui.handsEmpty.hidden = state.hands.length > 0;
    ui.floor.textContent = state.floor ? `${nameOf(state.floor)} has the floor.` : "Nobody has the floor.";
    const raised = state.me && state.hands.includes(state.me.id);
    ui.hand.textContent = raised ? "Lower hand" : "Raise hand";
    ui.hand.setAttribute("aria-pressed", raised ? "true" : "false");
  }

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
    if (!text) return;
    const cid = clientId();
    state.pending.set(cid, text);
    const draft = document.createElement("li");
    draft.className = "message pending"; draft.dataset.clientId = cid;
    draft.textContent = `${text} (sending…)`;
    place(draft, 0);
    send({ type: "say", text, client_id: cid });
    ui.text.value = ""; updateCount(); ui.text.focus();
  });
  ui.hand.addEventListener("click", () => {
    const raised = state.me && state.hands.includes(state.me.id);
    send({ type: raised ? "lower_hand" : "raise_hand" });
  });
  ui.leave.addEventListener("click", () => {
    state.leaving = true; send({ type: "leave" });
    if (state.socket) state.socket.close(1000);
    ui.messages.replaceChildren(); state.pending.clear(); state.seen.clear();
    location.assign(backUrl);
  });
  // A page brought back from the back/forward cache would show a closed room: load it afresh.
  window.addEventListener("pageshow", (ev) => { if (ev.persisted) location.reload(); });
  setInterval(() => send({ type: "ping" }), 25000);
  updateCount();
  connect();
})();
