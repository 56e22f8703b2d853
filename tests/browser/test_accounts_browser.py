"""Accounts in a real Chromium, used as a person would: by label, role and keyboard.

Every test ends with `visit.assert_clean()`: no request left the server's origin, nothing
broke the Content Security Policy and no script error was thrown.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from support import STRONG_PASSWORD

from browser.conftest import Visit

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

NEW_PASSWORD = "copper kettle beside the winter door"

# --- helpers ------------------------------------------------------------------------------

FOCUSED_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const name = el.labels && el.labels.length ? el.labels[0].textContent : el.textContent;
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: name.trim().replace(/\\s+/g, ' '),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    top: box.top, bottom: box.bottom,
  };
}"""


def focused(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(FOCUSED_JS)
    return result


def tab(page: Page) -> dict[str, Any]:
    page.keyboard.press("Tab")
    return focused(page)


# WCAG 2.x relative luminance and contrast ratio, computed in the page on computed styles.
# The background is found by compositing the element's and its ancestors' background
# colours (translucent ones included) over the white canvas.
CONTRAST_LIB = """
const parse = (value) => {
  const m = value.match(/^rgba?\\(([^)]+)\\)$/);
  if (!m) throw new Error(`cannot read colour ${value}`);
  const [r, g, b, a = 1] = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
  return [r, g, b, a];
};
const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
const backgroundOf = (el) => {
  const layers = [];
  for (let node = el; node; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (style.backgroundImage !== 'none') throw new Error(`background image on ${node.tagName}`);
    const colour = parse(style.backgroundColor);
    if (colour[3] > 0) layers.push(colour);
    if (colour[3] === 1) break;
  }
  return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
};
const channel = (v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
const ratio = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
"""

CONTRAST_JS = (
    "(checks) => {"
    + CONTRAST_LIB
    + """
  const out = [];
  for (const [what, selector] of checks) {
    const els = [...document.querySelectorAll(selector)].filter((el) => el.getClientRects().length);
    if (!els.length) { out.push({what, selector, missing: true}); continue; }
    for (const el of els) {
      const bg = backgroundOf(el);
      const fg = over(parse(getComputedStyle(el).color), bg);
      out.push({what, selector, text: el.textContent.trim().slice(0, 40), ratio: ratio(fg, bg),
                fg: getComputedStyle(el).color, bg: `rgb(${bg.slice(0, 3).map(Math.round).join(', ')})`});
    }
  }
  return out;
}"""
)

FOCUS_RING_JS = (
    "() => {"
    + CONTRAST_LIB
    + """
  const el = document.activeElement;
  const ring = parse(getComputedStyle(el).outlineColor);
  return ratio(over(ring, backgroundOf(el.parentElement)), backgroundOf(el.parentElement));
}"""
)


def low_contrast(page: Page, checks: list[tuple[str, str]], minimum: float = 4.5) -> list[str]:
    """Everything in `checks` that is missing from the page or below `minimum`:1."""
    problems = []
    for r in page.evaluate(CONTRAST_JS, [list(c) for c in checks]):
        if r.get("missing"):
            problems.append(f"{r['what']}: nothing visible matches {r['selector']!r} on {page.url}")
        elif r["ratio"] < minimum:
            problems.append(
                f"{r['what']} {r['text']!r}: {r['fg']} on {r['bg']} is {r['ratio']:.2f}:1 on {page.url}"
            )
    return problems


def no_horizontal_scroll(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px ({scroll_width} px wide)"


# --- the account journey ------------------------------------------------------------------


def test_register_log_out_change_password_and_log_back_in(visit: Visit) -> None:
    page = visit.page
    visit.goto("/")
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    expect(page.get_by_text("The first account becomes its administrator.")).to_be_visible()

    page.get_by_label("Display name").fill("River")
    page.get_by_label("Email").fill("river@example.org")
    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/account\?welcome=1$"))
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "You were the first to sign up, so you are this Hearth's administrator."
    )
    expect(page.locator(".facts")).to_contain_text("Admin")
    expect(page.get_by_role("link", name="River")).to_be_visible()  # signed in, in the header

    visit.log_out()
    expect(page.get_by_role("status")).to_have_text("You have been logged out.")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    visit.log_in("river@example.org", STRONG_PASSWORD)
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("status")).to_have_count(0)  # the welcome is for the first visit only

    # A wrong current password is named next to its field and the form stays usable.
    page.get_by_label("Current password", exact=True).fill("not my password at all")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("Your current password isn't right.")
    expect(page.get_by_label("Current password", exact=True)).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Current password", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(re.compile(r"/account\?changed=1$"))
    expect(page.get_by_role("status")).to_have_text(
        "Your password was changed. Other devices have been logged out."
    )

    visit.log_out()
    visit.log_in("river@example.org", STRONG_PASSWORD)
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("alert")).to_contain_text("That email and password don't match an account.")
    expect(page.get_by_label("Email")).to_have_value("river@example.org")  # kept, not retyped
    expect(page.get_by_label("Password")).to_have_value("")  # never echoed back
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    visit.log_in("river@example.org", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("river@example.org")
    visit.assert_clean()


# --- keyboard -----------------------------------------------------------------------------


def test_keyboard_only_reaches_help_then_fields_in_order_with_a_visible_focus_ring(visit: Visit) -> None:
    page = visit.page
    visit.goto("/register")
    assert page.locator("[tabindex]:not([tabindex='-1']):not([tabindex='0'])").count() == 0

    expected = [
        ("a", "Skip to main content"),
        ("a", "Hearth"),
        ("a", "Log in"),
        ("a", "Join"),
        ("a", "Need help now?"),
        ("input", "Display name"),
        ("input", "Email"),
        ("input", "Password"),
        ("button", "Create account"),
        ("a", "Log in"),
    ]
    for tag, name in expected:
        el = tab(page)
        assert (el["tag"], el["name"]) == (tag, name)
        assert el["outlineStyle"] != "none", f"no focus outline on {name!r}"
        assert el["outlineWidth"] >= 2, f"focus outline on {name!r} is too thin"
        assert el["top"] >= 0, f"{name!r} is focused off-screen"
        ring = page.evaluate(FOCUS_RING_JS)
        assert ring >= 3, f"focus ring around {name!r} has contrast {ring:.2f}:1"

    # The skip link jumps past the header: the next Tab lands on the first field.
    visit.goto("/register")
    assert tab(page)["name"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    assert tab(page)["name"] == "Display name"

    # Register, then log out, without touching the mouse.
    page.keyboard.type("Wren")
    page.keyboard.press("Tab")
    page.keyboard.type("wren@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(STRONG_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/account\?welcome=1$"))

    names = [tab(page)["name"] for _ in range(8)]
    assert names == [
        "Skip to main content",
        "Hearth",
        "Find a group",
        "Groups",
        "My meetings",
        "Wren",
        "Log out",
        "Need help now?",
    ]
    page.keyboard.press("Shift+Tab")
    assert focused(page)["name"] == "Log out"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/login\?ended=1$"))
    visit.assert_clean()


# --- labels, small screens, contrast ------------------------------------------------------

INPUTS_JS = """() => [
  ...document.querySelectorAll('input:not([type=hidden]), select, textarea'),
].map((el) => ({
  id: el.id,
  labels: [...el.labels].map((l) => l.textContent.trim()),
  describedBy: (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
    .map((id) => !!document.getElementById(id)),
}))"""


def assert_every_input_is_labelled(page: Page) -> int:
    inputs = page.evaluate(INPUTS_JS)
    for el in inputs:
        assert len(el["labels"]) == 1, f"input #{el['id']} on {page.url} has {len(el['labels'])} labels"
        assert el["labels"][0], f"input #{el['id']} on {page.url} has an empty label"
        by_label = page.get_by_label(el["labels"][0], exact=True)
        expect(by_label).to_have_count(1)
        expect(by_label).to_have_attribute("id", el["id"])
        assert all(el["describedBy"]), f"#{el['id']} is described by a missing element"
    for button in page.get_by_role("button").all():
        assert button.inner_text().strip(), f"a button on {page.url} has no name"
    return len(inputs)


def test_every_form_input_has_a_label_and_its_hint_is_announced(visit: Visit) -> None:
    page = visit.page
    visit.goto("/login")
    assert assert_every_input_is_labelled(page) == 2
    visit.goto("/register")
    assert assert_every_input_is_labelled(page) == 3
    expect(page.get_by_label("Password")).to_have_accessible_description(
        "At least 15 characters. A few unrelated words make a strong passphrase."
    )
    expect(page.get_by_label("Display name")).to_have_accessible_description(
        "What others in meetings see. It need not be your real name."
    )

    page.get_by_label("Display name").fill("Fern")
    page.get_by_label("Email").fill("fern@example.org")
    page.get_by_label("Password").fill("too short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert assert_every_input_is_labelled(page) == 3
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile(r"^At least 15 characters\..*15 characters"))

    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/account"))
    assert assert_every_input_is_labelled(page) == 3
    for label in ("Current password", "New password", "Your password, to confirm"):
        expect(page.get_by_label(label, exact=True)).to_have_attribute("type", "password")
    visit.assert_clean()


def test_usable_at_320_px_without_sideways_scrolling(visit: Visit) -> None:
    page = visit.page
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/login", "/register", "/help", "/no-such-page"):
        visit.goto(path)
        no_horizontal_scroll(page, 320)
        help_link = page.get_by_role("link", name="Need help now?")
        expect(help_link).to_be_in_viewport()

    visit.goto("/register")
    page.get_by_role("button", name="Create account").click()  # an empty form: errors shown
    expect(page.get_by_role("alert")).to_be_visible()
    no_horizontal_scroll(page, 320)

    # A long unbroken display name and email must wrap, not push the page sideways.
    long_name = "Wanderingalongtheriverbankatdusk"
    visit.register(long_name, "a.rather.long.address.for.testing@example.org")
    no_horizontal_scroll(page, 320)
    expect(page.get_by_role("link", name="Need help now?")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    visit.goto("/")
    no_horizontal_scroll(page, 320)
    visit.assert_clean()


PAGE_CHECKS = [
    ("body text", "main p"),
    ("heading", "main h1"),
    ("header link", ".site-header nav a"),
    ("brand", ".brand"),
    ("help link", ".help-link"),
    ("footer text", ".site-footer p"),
    ("footer link", ".site-footer a"),
]


def test_text_links_buttons_hints_and_errors_meet_wcag_aa_contrast(visit: Visit) -> None:
    page = visit.page
    problems: list[str] = []
    visit.goto("/")
    problems += low_contrast(
        page,
        [
            *PAGE_CHECKS,
            ("card text", ".card p"),
            ("primary button", ".actions .button:not(.button-secondary)"),
            ("secondary button", ".button-secondary"),
        ],
    )
    visit.goto("/help")
    problems += low_contrast(page, [*PAGE_CHECKS, ("resource link", ".contact a"), ("card text", ".card p")])

    visit.goto("/register")
    page.get_by_label("Display name").fill("Moss")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_be_visible()
    problems += low_contrast(
        page,
        [
            *PAGE_CHECKS,
            ("label", "label"),
            ("hint", ".hint"),
            ("error text", ".error"),
            ("error summary", ".alert-error h2, .alert-error li a"),
            ("notice", ".alert-info"),
            ("typed text", "input:not([type=hidden])"),
            ("button", "button.button"),
        ],
    )
    # Input borders are what show where to type: non-text contrast, 3:1 (WCAG 1.4.11).
    borders = page.evaluate(
        "() => {" + CONTRAST_LIB + "const el = document.getElementById('email');"
        "return ratio(parse(getComputedStyle(el).borderTopColor), backgroundOf(el.parentElement)); }"
    )
    assert borders >= 3, f"input borders have contrast {borders:.2f}:1"

    visit.register("Moss", "moss@example.org")
    page.get_by_label("Current password", exact=True).fill("wrong, quite wrong")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_be_visible()
    problems += low_contrast(
        page,
        [
            *PAGE_CHECKS,
            ("muted text", ".muted"),
            ("facts", ".facts dt, .facts dd"),
            ("panel text", ".panel p, .panel li"),
            ("error text", ".error"),
            ("error summary", ".alert-error li a"),
            ("log out button", ".link-button"),
            ("primary button", "button.button:not(.button-danger)"),
            ("danger button", ".button-danger"),
        ],
    )

    visit.log_out()
    visit.log_in("moss@example.org", "wrong, quite wrong")
    expect(page.get_by_role("alert")).to_be_visible()
    problems += low_contrast(
        page, [*PAGE_CHECKS, ("error summary", ".alert-error h2, .alert-error li"), ("notice", ".alert")]
    )
    assert not problems, "\n".join(problems)
    visit.assert_clean()


def test_the_contrast_math_agrees_with_known_values(visit: Visit) -> None:
    """Black on white is 21:1; #767676 on white is the darkest grey that passes at 4.54:1."""
    visit.goto("/")
    js = "(pairs) => {" + CONTRAST_LIB + "return pairs.map(([a, b]) => ratio(parse(a), parse(b))); }"
    got = visit.page.evaluate(
        js,
        [
            ["rgb(0, 0, 0)", "rgb(255, 255, 255)"],
            ["rgb(118, 118, 118)", "rgb(255, 255, 255)"],
            ["rgb(119, 119, 119)", "rgb(255, 255, 255)"],
            ["rgb(255, 255, 255)", "rgb(255, 255, 255)"],
        ],
    )
    assert got == pytest.approx([21.0, 4.54, 4.48, 1.0], abs=0.01)


# --- what the pages load ------------------------------------------------------------------


def test_pages_load_only_from_the_server_and_keep_to_their_csp(visit: Visit) -> None:
    page = visit.page
    for path in ("/", "/help", "/login", "/register", "/no-such-page"):
        visit.goto(path)
        # The stylesheet was allowed and applied (the body has its warm background).
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(251, 248, 244)"
    visit.register("Heron", "heron@example.org")
    visit.goto("/account")
    visit.log_out()
    assert any(url.endswith("/static/css/hearth.css") for url in visit.requests)
    assert len(visit.requests) >= 8
    visit.assert_clean()

    # The listener does hear violations: an injected inline style is refused and reported.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>body { color: red }</style>')")
    expect(page.locator("body")).not_to_have_css("color", "rgb(255, 0, 0)")
    assert visit.csp_violations(), "an inline <style> should have been reported as a CSP violation"
