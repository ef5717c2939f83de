"""Personal data off every picture, failing closed.

The account's name, headline, email and photo are replaced by the persona's (screenshots/persona.yml)
from before the page's own scripts run until the page closes: an init script scrubs the document as it is
parsed and keeps scrubbing whatever appears or changes later (text, attributes, form values, lazy image
URLs in data attributes, srcset, CSS backgrounds, open shadow roots). Right before a picture is kept,
`leaks()` looks again at what the picture shows (visible text and attributes, image URLs) and
photocheck.py at its pixels; anything found means no picture (the step is broken instead).
"""

from __future__ import annotations

import base64
import json

from .personal import Persona, PersonalData

PHOTO_ATTRIBUTE = "data-stepshot-photo"   # marks an image the scrub replaced with the persona's avatar


def avatar_data_url(persona: Persona) -> str:
    """A drawn head-and-shoulders silhouette in the persona's colour: no face, no text, no font."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96" width="96" height="96">'
        f'<circle cx="48" cy="48" r="48" fill="{persona.avatar_color}"/>'
        '<circle cx="48" cy="38" r="17" fill="#fff" fill-opacity=".85"/>'
        '<path d="M14 86c4-18 18-27 34-27s30 9 34 27a48 48 0 0 1-68 0z" fill="#fff" fill-opacity=".85"/>'
        "</svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def replacements(account: PersonalData, persona: Persona, headline: str) -> list[dict]:
    """(find, replace) pairs, longest first so the full name goes before its parts.

    The name's parts are replaced on their own too (a greeting may show the first name only), as
    whole words, so a label that merely contains the same letters is left alone.
    """
    pairs = [
        {"find": account.email, "replace": persona.email, "word": False, "ignoreCase": True},
        {"find": account.headline, "replace": headline, "word": False, "ignoreCase": False},
        {"find": account.name, "replace": persona.name, "word": False, "ignoreCase": False},
    ]
    own, theirs = account.name.split(), persona.name.split()
    if len(own) >= 2 and len(theirs) >= 2:
        for part, new in ((own[0], theirs[0]), (own[-1], theirs[-1])):
            if len(part) >= 2:
                pairs.append({"find": part, "replace": new, "word": True, "ignoreCase": False})
    return sorted(pairs, key=lambda p: -len(p["find"]))


_SCRUB_JS = r"""
(() => {
  const config = __CONFIG__;
  if (window.__stepshotPrivacy) return;
  const esc = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rules = config.pairs.map(p => [new RegExp(p.word ? `(?<![\\p{L}\\p{N}])${esc(p.find)}(?![\\p{L}\\p{N}])` : esc(p.find),
                                                 'gu' + (p.ignoreCase ? 'i' : '')), p.replace]);
  const fix = s => rules.reduce((out, [re, to]) => out.replace(re, () => to), s);
  const photo = config.photo;
  const names = [config.name, config.persona];
  const hasPhoto = v => Boolean(photo && v && v.includes(photo));
  const URL_ATTRIBUTES = /^(src|srcset|poster|style|data-.*)$/;
  const isPhotoImage = img => hasPhoto(img.getAttribute('src')) || hasPhoto(img.currentSrc) ||
    [...img.attributes].some(a => a.name.startsWith('data-') && hasPhoto(a.value)) ||
    names.some(n => n && (img.getAttribute('alt') || '').includes(n));
  const scrubElement = el => {
    if (el.localName === 'img' && isPhotoImage(el) && el.getAttribute('src') !== config.avatar) {
      el.removeAttribute('srcset');
      for (const a of [...el.attributes]) if (a.name.startsWith('data-') && a.name !== 'data-stepshot-photo') el.removeAttribute(a.name);
      el.setAttribute('src', config.avatar);
      el.setAttribute('data-stepshot-photo', '');
    }
    if (el.localName === 'source' && hasPhoto(el.getAttribute('srcset'))) el.removeAttribute('srcset');
    for (const attr of [...el.attributes]) {
      let value = fix(attr.value);
      if (hasPhoto(value) && URL_ATTRIBUTES.test(attr.name)) {
        value = attr.name === 'style' ? value.replace(/url\([^)]*\)/g, `url("${config.avatar}")`) : (attr.name === 'srcset' ? '' : config.avatar);
      }
      if (value !== attr.value) el.setAttribute(attr.name, value);
    }
    if ((el.localName === 'input' || el.localName === 'textarea') && typeof el.value === 'string') {
      const value = fix(el.value);
      if (value !== el.value) el.value = value;
    }
  };
  const scrub = root => {
    if (root.nodeType === Node.TEXT_NODE || root.nodeType === Node.COMMENT_NODE) {
      const value = fix(root.nodeValue);
      if (value !== root.nodeValue) root.nodeValue = value;
      return;
    }
    if (root.nodeType === Node.ELEMENT_NODE) scrubElement(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT | NodeFilter.SHOW_COMMENT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.ELEMENT_NODE) {
        scrubElement(node);
        if (node.shadowRoot) { scrub(node.shadowRoot); watch(node.shadowRoot); }
        if (node.localName === 'template') { scrub(node.content); watch(node.content); }
      } else {
        const value = fix(node.nodeValue);
        if (value !== node.nodeValue) node.nodeValue = value;
      }
    }
  };
  const observer = new MutationObserver(records => {
    for (const record of records) {
      if (record.type === 'childList') record.addedNodes.forEach(scrub);
      else scrub(record.target);
    }
  });
  const watch = root => observer.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    watch(root);
    return root;
  };
  watch(document);
  // What a picture of the rectangle (CSS pixels of the viewport) would show of the account, by kind.
  const leaks = rect => {
    const found = new Set();
    const within = r => r.width > 0 && r.height > 0 && r.x < rect.x + rect.width && rect.x < r.x + r.width &&
      r.y < rect.y + rect.height && rect.y < r.y + r.height;
    const kinds = [['name', config.name], ['headline', config.headline], ['email', config.email]];
    const test = value => { for (const [kind, text] of kinds) if (text && value.toLowerCase().includes(text.toLowerCase())) found.add(kind); };
    const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
      if (!el || !el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
      if (node.nodeType === Node.TEXT_NODE) {
        range.selectNodeContents(node);
        if ([...range.getClientRects()].some(within)) test(node.nodeValue);
        continue;
      }
      if (!within(el.getBoundingClientRect())) continue;
      for (const attr of el.attributes) test(attr.value);
      for (const pseudo of ['::before', '::after']) {
        const content = getComputedStyle(el, pseudo).content;
        if (content && content !== 'none' && content !== 'normal') { test(content); if (hasPhoto(content)) found.add('photo'); }
      }
      if (el.localName === 'img' && (hasPhoto(el.currentSrc) || hasPhoto(el.getAttribute('src')))) found.add('photo');
      const background = getComputedStyle(el).backgroundImage;
      if (hasPhoto(background)) found.add('photo');
    }
    return [...found].sort();
  };
  window.__stepshotPrivacy = {scrub: () => scrub(document), leaks};
})();
"""


def scrub_script(account: PersonalData, persona: Persona, headline: str, avatar: str) -> str:
    """The init script that keeps the account's data off the page from its first byte."""
    config = {"pairs": replacements(account, persona, headline), "photo": account.photo, "name": account.name,
              "persona": persona.name, "headline": account.headline, "email": account.email, "avatar": avatar}
    return _SCRUB_JS.replace("__CONFIG__", json.dumps(config, ensure_ascii=False))


# A frame scrubbed once more (the observer does it as things change; this is for pages opened before the
# script, and a belt to its braces).
SCRUB_JS = "() => window.__stepshotPrivacy && window.__stepshotPrivacy.scrub()"
# The kinds of personal data a picture of the rectangle would show: name, headline, email, photo;
# "scrub-missing" when the privacy script is not on the page (then nothing may be shown).
LEAKS_JS = "rect => window.__stepshotPrivacy ? window.__stepshotPrivacy.leaks(rect) : ['scrub-missing']"


async def scrub_now(page, main_frame: bool = True) -> None:
    """Scrub every frame once more (the main frame's too unless `main_frame` is False)."""
    for frame in page.frames:
        if not frame.is_detached() and (main_frame or frame != page.main_frame):
            await frame.evaluate(SCRUB_JS)


async def leaks(page, rect: dict) -> list[str]:
    """What a picture of `rect` would show of the account (LEAKS_JS)."""
    return list(await page.evaluate(LEAKS_JS, rect))
