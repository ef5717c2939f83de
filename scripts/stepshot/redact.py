"""Personal data off the screenshots: the account's name, headline, email and photo become a persona's.

Run in every frame just before each shot. The account comes from the login (personal.py); the persona
from screenshots/persona.yml.
"""

from __future__ import annotations

import base64

from .personal import Persona, PersonalData


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


def replacements(account: PersonalData, persona: Persona) -> list[dict]:
    """(find, replace) pairs, longest first so the full name goes before its parts.

    The name's parts are replaced on their own too (a greeting may show the first name only), as
    whole words, so a label that merely contains the same letters is left alone.
    """
    pairs = [
        {"find": account.email, "replace": persona.email, "word": False, "ignoreCase": True},
        {"find": account.headline, "replace": persona.headline, "word": False, "ignoreCase": False},
        {"find": account.name, "replace": persona.name, "word": False, "ignoreCase": False},
    ]
    own, theirs = account.name.split(), persona.name.split()
    if len(own) >= 2 and len(theirs) >= 2:
        for part, new in ((own[0], theirs[0]), (own[-1], theirs[-1])):
            if len(part) >= 2:
                pairs.append({"find": part, "replace": new, "word": True, "ignoreCase": False})
    return sorted(pairs, key=lambda p: -len(p["find"]))


_REDACT_JS = r"""
async ([pairs, photo, accountName, avatar]) => {
  const esc = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rules = pairs.map(p => [new RegExp(p.word ? `(?<![\\p{L}\\p{N}])${esc(p.find)}(?![\\p{L}\\p{N}])` : esc(p.find),
                                           'gu' + (p.ignoreCase ? 'i' : '')), p.replace]);
  const fix = s => rules.reduce((out, [re, to]) => out.replace(re, () => to), s);
  let count = 0;
  const images = [];
  const isPhoto = img => (photo && ((img.getAttribute('src') || '').includes(photo) || (img.currentSrc || '').includes(photo)))
                          || (img.getAttribute('alt') || '').includes(accountName);
  const visit = root => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT | NodeFilter.SHOW_COMMENT);
    for (let node = walker.currentNode; node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE || node.nodeType === Node.COMMENT_NODE) {
        const value = fix(node.nodeValue);
        if (value !== node.nodeValue) { node.nodeValue = value; count++; }
        continue;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;  // the document or a shadow root itself
      if (node.localName === 'img' && isPhoto(node)) {
        node.removeAttribute('srcset');
        node.setAttribute('src', avatar);
        images.push(node);
        count++;
      }
      if (node.localName === 'source' && photo && (node.getAttribute('srcset') || '').includes(photo)) {
        node.remove();
        count++;
        continue;
      }
      for (const attr of [...node.attributes]) {
        const value = fix(attr.value);
        if (value !== attr.value) { node.setAttribute(attr.name, value); count++; }
      }
      if ((node.localName === 'input' || node.localName === 'textarea') && typeof node.value === 'string') {
        const value = fix(node.value);
        if (value !== node.value) { node.value = value; count++; }
      }
      if (node.shadowRoot) visit(node.shadowRoot);
    }
  };
  visit(document);
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  return count;
}
"""


async def redact(page, account: PersonalData, persona: Persona) -> int:
    """Replace the account's personal data in every frame of the page; return how many places changed."""
    args = [replacements(account, persona), account.photo, account.name, avatar_data_url(persona)]
    total = 0
    for frame in page.frames:
        if not frame.is_detached():
            total += await frame.evaluate(_REDACT_JS, args)
    return total
