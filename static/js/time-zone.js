// Tells Hearth which time zone this browser is in, so that meeting times show in it before
// (or without) a time zone set on the account. Sends nothing but the zone's IANA name, in the
// `hearth_tz` cookie, which the server reads on the next request.
//
// - A page that had to guess (it shows UTC and marks itself with `data-zone-guessed`) is
//   loaded again once, with the cookie set. It never reloads twice for the same zone.
// - A <select data-browser-zone="fill"> (the server marks a time zone select so only while
//   nobody has chosen its value) gets the browser's zone chosen, when its list has it.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

if (zone && /^[A-Za-z0-9_+\-/]+$/.test(zone)) {
  for (const select of document.querySelectorAll('select[data-browser-zone="fill"]')) {
    if ([...select.options].some((option) => option.value === zone)) select.value = zone;
  }
  const cookie = `hearth_tz=${zone}`;
  const known = document.cookie.split("; ").includes(cookie);
  if (!known) {
    const secure = location.protocol === "https:" ? "; secure" : "";
    document.cookie = `${cookie}; path=/; max-age=31536000; samesite=lax${secure}`;
    if (document.querySelector("[data-zone-guessed]")) location.reload();
  }
}
