// Hearth room page, what every member can do for their own safety and comfort: the group's
// guidelines, "just listening today", passing a turn, reporting a message, blocking a member,
// a private line to the facilitators, crisis resources, and being muted.
import {
  $, app, canSend, confirmAction, el, isFacilitator, isMe, nameOf, on, say, send, sendButton, showDialog,
  state, timeOf, urgent, vh,
} from "./room-core.js";

const ui = {
  guidelines: $("guidelines-button"), guidelinesDialog: $("guidelines-dialog"),
  listening: $("listening-button"), pass: $("pass-button"),
  reportDialog: $("report-dialog"), reportForm: $("report-form"), reportAbout: $("report-about"),
  muteLine: $("mute-line"),
  resources: $("resources-card"), resourcesIntro: $("resources-intro"), resourcesList: $("resources-list"),
  resourcesDismiss: $("resources-dismiss"),
  privateButton: $("private-button"), privateLine: $("private-line"), privateThread: $("private-thread"),
  privateForm: $("private-form"), privateText: $("private-text"), privateError: $("private-error"),
  privateFallback: $("private-fallback"), privateFallbackList: $("private-fallback-list"), privateClose: $("private-close"), privateTitle: $("private-title"),
};

// --- guidelines ---------------------------------------------------------------------------

ui.guidelines.addEventListener("click", () => showDialog(ui.guidelinesDialog));

// --- just listening, and passing ----------------------------------------------------------

function renderListening() {
  ui.listening.setAttribute("aria-pressed", state.listening ? "true" : "false");
}
ui.listening.addEventListener("click", () => send({ type: "listening", on: !state.listening }));
on("listening", (f) => {
  const changed = f.on !== state.listening;
  state.listening = f.on;
  renderListening(); app.renderPeople();
  if (changed) say(f.on ? "You're just listening today. Sharing rounds will skip you." : "Sharing rounds will include you again.");
});
ui.pass.addEventListener("click", () => send({ type: "pass" }));

// --- muted --------------------------------------------------------------------------------

function muteText(m) {
  const until = m.until ? `until ${timeOf(m.until)}` : "until they unmute you";
  return `A facilitator muted you ${until}. You can still react and raise your hand.`;
}

/** Muted (`m` = {until}) or not (null): the composer is disabled, with a line saying why. */
export function setMuted(m, announce) {
  const was = state.muted;
  state.muted = m;
  ui.muteLine.hidden = !m;
  ui.muteLine.textContent = m ? muteText(m) : "";
  app.refreshControls(); app.renderPeople();
  if (!announce) return;
  if (m && (!was || was.until !== m.until)) urgent(muteText(m));
  if (!m && was) urgent("A facilitator unmuted you. You can write again.");
}
app.setMuted = setMuted;
/** Once a second: a timed mute ends on its own (the server's word still holds if it disagrees). */
app.tickMute = () => {
  if (state.muted && state.muted.until && Date.now() >= state.muted.until) setMuted(null, true);
};
on("muted", (f) => setMuted({ until: f.until }, true));
on("unmuted", () => setMuted(null, true));

// --- reporting a message ------------------------------------------------------------------

async function report(entry) {
  const f = entry.f;
  ui.reportForm.reset();
  ui.reportAbout.textContent = `The message from ${f.author.name} at ${timeOf(f.ts)}.`;
  const answer = await showDialog(ui.reportDialog, ui.reportForm.querySelector("input[name=reason]"));
  const reason = new FormData(ui.reportForm).get("reason");
  ui.reportForm.reset();
  if (answer !== "report" || !reason) return;
  if (send({ type: "report", message_id: f.id, reason })) {
    say("Thank you. Your report went to the facilitators, without your name.");
  }
}

/** The tools under a message: Report for members (not on their own messages); the
 * facilitators' Delete comes from room-facilitator.js. */
app.messageTools = (box, entry) => {
  const f = entry.f;
  if (isFacilitator()) { if (app.facilitatorMessageTools) app.facilitatorMessageTools(box, entry); return; }
  if (isMe(f.author.id)) return;
  box.append(sendButton({ class: "tool", dataset: { key: `report-${f.id}` }, "aria-haspopup": "dialog", onclick: () => report(entry) },
    "Report", vh(` message from ${f.author.name}`)));
};

// --- the member list: options, and blocking -----------------------------------------------

async function block(m) {
  const ok = await confirmAction({
    title: `Block ${m.name}?`,
    text: "You won't see their messages, in this meeting or later ones. They won't be told. You can unblock them from the member list.",
    ok: "Block", danger: false,
  });
  if (ok) send({ type: "block", user_id: m.id });
}

/** Adds an "Options" disclosure to a member's row: Block or Unblock for everyone, and the
 * facilitators' tools (room-facilitator.js). */
app.personTools = (li, line, m) => {
  const box = el("div", { id: `person-tools-${m.id}`, class: "person-tools" });
  if (isFacilitator() && app.moderatePerson) app.moderatePerson(box, m);
  if (m.role === "member") {
    const blocked = state.blocked.has(m.id);
    box.append(sendButton({
      class: "tool", dataset: { key: `block-${m.id}` },
      onclick: () => (blocked ? send({ type: "unblock", user_id: m.id }) : block(m)),
    }, blocked ? "Unblock" : "Block", vh(` ${m.name}`)));
  }
  if (!box.childElementCount) return;
  const open = state.openTools.has(m.id);
  box.hidden = !open;
  const toggle = el("button", {
    type: "button", class: "person-toggle", "aria-expanded": String(open), "aria-controls": box.id,
    dataset: { key: `options-${m.id}` },
  }, "Options", vh(` for ${m.name}`));
  toggle.addEventListener("click", () => {
    const now = !state.openTools.has(m.id);
    if (now) state.openTools.add(m.id); else state.openTools.delete(m.id);
    toggle.setAttribute("aria-expanded", String(now));
    box.hidden = !now;
  });
  line.append(" ", toggle);
  li.append(box);
};

on("blocked", (f) => {
  const was = state.blocked;
  state.blocked = new Set(f.user_ids);
  for (const id of state.blocked) if (!was.has(id)) say(`You blocked ${nameOf(id)}. You won't see their messages.`);
  for (const id of was) if (!state.blocked.has(id)) say(`You unblocked ${nameOf(id)}.`);
  app.applyBlocks(); app.renderPeople();
});

// --- the private line to the facilitators -------------------------------------------------

let privateDraft = "";
let fallbackOpen = false;  // no facilitator: the `resources` that follow go in the private line

export function openPrivate(focus) {
  ui.privateLine.hidden = false;
  ui.privateButton.setAttribute("aria-expanded", "true");
  if (focus) ui.privateText.disabled ? ui.privateTitle.focus() : ui.privateText.focus();
}
function closePrivate() {
  ui.privateLine.hidden = true;
  ui.privateButton.setAttribute("aria-expanded", "false");
  ui.privateButton.focus();
}
ui.privateButton.addEventListener("click", () => (ui.privateLine.hidden ? openPrivate(true) : closePrivate()));
ui.privateClose.addEventListener("click", closePrivate);
ui.privateText.addEventListener("input", () => { ui.privateError.hidden = true; });
ui.privateText.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); ui.privateForm.requestSubmit(); }
});
ui.privateForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = ui.privateText.value.trim();
  if (!text || !canSend()) return;
  if (send({ type: "ask_facilitator", text })) {
    privateDraft = text; ui.privateText.value = "";
    ui.privateFallback.hidden = true; ui.privateError.hidden = true; fallbackOpen = false;
  }
});

/** A refused private line: say why, and put the words back. */
app.privateError = (f) => {
  openPrivate(false);
  if (f.code === "no_facilitator") {
    ui.privateFallback.hidden = false;
    fallbackOpen = true;
    ui.privateError.textContent = "No facilitator is in the room right now, so your message wasn't sent.";
  } else {
    ui.privateError.textContent = f.message;
  }
  ui.privateError.hidden = false;
  if (privateDraft && !ui.privateText.value) ui.privateText.value = privateDraft;
  privateDraft = "";
};

function threadItem(f, who) {
  return el("li", {},
    el("p", { class: "meta" }, el("strong", { text: who }), " ",
      el("time", { datetime: new Date(f.ts).toISOString(), text: timeOf(f.ts) })),
    el("p", { class: "text", text: f.text }));
}
app.threadItem = threadItem;

on("private_message", (f) => {
  if (!isMe(f.member.id)) return;  // a facilitator's view of someone else's line: room-facilitator.js
  const mine = isMe(f.sender.id);
  ui.privateThread.append(threadItem(f, mine ? "You" : `${f.sender.name} (facilitator)`));
  ui.privateThread.hidden = false;
  ui.privateFallback.hidden = true; fallbackOpen = false;
  if (mine) { privateDraft = ""; return; }
  openPrivate(false);
  say(`${f.sender.name} replied privately: ${f.text}`);
});

// --- crisis resources ---------------------------------------------------------------------

function resourceItem(r) {
  const safe = typeof r.url === "string" && /^(https:\/\/|tel:)/.test(r.url);
  const contact = safe ? el("a", { href: r.url, rel: "noopener noreferrer", text: r.contact }) : r.contact;
  return el("li", {}, el("h3", { text: r.name }), el("p", { class: "contact" }, contact), el("p", { text: r.description }));
}

on("resources", (f) => {
  if (fallbackOpen && !ui.privateFallback.hidden) {
    // The answer to asking for a facilitator when none is here: show them in the private line.
    fallbackOpen = false;
    ui.privateFallbackList.replaceChildren(...f.resources.map(resourceItem));
    return;
  }
  ui.resourcesIntro.textContent = f.intro;
  ui.resourcesList.replaceChildren(...f.resources.map(resourceItem));
  ui.resources.hidden = false;
  urgent("Support is here if you need it: resources are shown just above the message box.");
});
ui.resourcesDismiss.addEventListener("click", () => {
  ui.resources.hidden = true;
  $("message-text").disabled ? $("main").focus() : $("message-text").focus();
});
for (const b of document.querySelectorAll("[data-open-private]")) {
  b.addEventListener("click", () => openPrivate(true));
}

// --- on welcome, leave, and online changes ------------------------------------------------

/** What welcome says about you, and whether the private line is yours to use. */
app.memberWelcome = (f) => {
  state.listening = !!f.listening;
  state.blocked = new Set(f.blocked || []);
  renderListening();
  setMuted(f.muted ? { until: f.muted.until } : null, !!f.muted);
  const fac = isFacilitator();
  ui.privateButton.hidden = fac;
  for (const b of document.querySelectorAll("[data-open-private]")) b.hidden = fac;
  if (fac) ui.privateLine.hidden = true;
};

/** Forget every private word this page holds (Leave, removal). */
app.forgetMember = () => {
  ui.privateThread.replaceChildren(); ui.privateText.value = ""; privateDraft = "";
  ui.privateLine.hidden = true; ui.resources.hidden = true;
};
