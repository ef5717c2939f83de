"""What a step's picture shows: the region a reader needs, at a size they can read, and nothing else.

The region is found from the live control, not from fixed pixels: the control, the first "card" around it
(the nearest ancestor that paints a background, border or shadow: a menu, a panel, a settings card, the
top bar) and the page's heading. Everything else on the page is hidden before the picture (an allowlist,
not a list of known widgets: feed posts, messaging, suggestions, ads and whatever else a page grows are
simply not shown), and so is every image inside the region that the privacy scrub did not turn into the
persona's avatar. The crop is cut around that region, at most as wide as keeps the control's own text at
12 CSS pixels or more where the guide shows the picture: its content column at a 1280 px window for a
desktop picture, at a 390 px window for a phone picture (on a phone, the site lets a wider desktop picture
scroll sideways at reading size rather than shrink it). ARCHITECTURE.md, "Screenshots", has the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from .locales import CONTENT_WIDTH, READING_PX

PAD = 16
MASK_CLASS = "stepshot-mask"

FOCUS_JS = r"""
(target, o) => {
  const html = document.documentElement;
  const visible = el => el.checkVisibility({visibilityProperty: true});
  // A card: an ancestor that paints a background or a shadow, or a border all round (a row's separator
  // lines do not make a card).
  const paints = el => {
    const s = getComputedStyle(el);
    const background = s.backgroundColor !== 'rgba(0, 0, 0, 0)' && s.backgroundColor !== 'transparent';
    const border = ['Top', 'Right', 'Bottom', 'Left'].every(side => parseFloat(s[`border${side}Width`]) > 0 &&
                                                              s[`border${side}Style`] !== 'none');
    return background || border || s.boxShadow !== 'none';
  };
  let card = target.parentElement;
  while (card && card !== document.body && card !== html && !paints(card)) card = card.parentElement;
  if (!card || card === document.body || card === html) card = target.parentElement || target;
  const keep = [card];
  const heading = [...document.querySelectorAll('h1, [role=heading][aria-level="1"]')]
    .find(h => visible(h) && !card.contains(h) && !h.contains(card));
  if (heading) keep.push(heading);
  for (const el of keep) el.setAttribute('data-stepshot-keep', '');
  if (!document.getElementById('stepshot-mask-style')) {
    const style = document.createElement('style');
    style.id = 'stepshot-mask-style';
    style.textContent =
      `html.${o.maskClass} body *:not([data-stepshot-keep], [data-stepshot-keep] *, #${o.overlayId}, #${o.overlayId} *) { visibility: hidden !important; }` +
      `html.${o.maskClass} [data-stepshot-keep] { visibility: visible !important; }` +
      `html.${o.maskClass} [data-stepshot-keep] :is(img:not([data-stepshot-photo]), picture source, video, canvas, iframe, object, embed) { visibility: hidden !important; }` +
      `html.${o.maskClass} [data-stepshot-keep] *:not(img) { background-image: none !important; }`;
    (document.head || html).appendChild(style);
  }
  html.classList.add(o.maskClass);

  // The element whose text is the control's accessible name, and that text's size.
  const named = (target.labels && target.labels[0]) ||
    (target.getAttribute('aria-labelledby') && document.getElementById(target.getAttribute('aria-labelledby').split(' ')[0])) || target;
  let textPx = 0;
  const walker = document.createTreeWalker(named, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeValue.trim() && node.parentElement && visible(node.parentElement))
      textPx = Math.max(textPx, parseFloat(getComputedStyle(node.parentElement).fontSize));
  }
  if (!textPx) textPx = parseFloat(getComputedStyle(named).fontSize) || 14;

  const box = el => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; };
  const view = {x: 0, y: 0, width: innerWidth, height: innerHeight};
  const clip = (r, b) => {
    const x0 = Math.max(r.x, b.x), y0 = Math.max(r.y, b.y);
    const x1 = Math.min(r.x + r.width, b.x + b.width), y1 = Math.min(r.y + r.height, b.y + b.height);
    return {x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0)};
  };
  const union = rs => {
    const x0 = Math.min(...rs.map(r => r.x)), y0 = Math.min(...rs.map(r => r.y));
    const x1 = Math.max(...rs.map(r => r.x + r.width)), y1 = Math.max(...rs.map(r => r.y + r.height));
    return {x: x0, y: y0, width: x1 - x0, height: y1 - y0};
  };
  const element = box(target);
  // The words of the label: the deepest element showing exactly them, else all of the named element's text.
  const norm = t => t.replace(/\s+/g, ' ').trim();
  let words = null;
  for (const el of [named, ...named.querySelectorAll('*')]) if (visible(el) && norm(el.textContent) === o.label) words = el;
  const range = document.createRange();
  range.selectNodeContents(words || named);
  const textRects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
  const text = textRects.length ? union(textRects) : element;
  // A row much wider than its words (a full-width list item): the outline goes around the words.
  const control = named === target && element.width > 1.6 * text.width ?
    {x: text.x - 6, y: Math.min(text.y, element.y + element.height / 2 - text.height / 2) - 4, width: text.width + 12,
     height: text.height + 8} : element;
  const must = union([control, text]);
  let region = union(keep.map(box).map(r => clip(r, view)).filter(r => r.width > 0 && r.height > 0).concat([clip(must, view)]));
  const maxWidth = Math.min(view.width, Math.floor(o.contentWidth * textPx / o.readingPx));
  const maxHeight = Math.max(o.minHeight, Math.round(maxWidth * o.aspect));
  // Too wide: a window of maxWidth that holds the control and its words whole (from the start of the
  // words when it can). Too tall: the same, from the top (the heading) when it fits.
  const fit = (start, length, max, focusStart, focusLength, fromStart) => {
    if (length <= max) return [start, length];
    if (focusLength >= max) return [focusStart, focusLength];
    const lowest = Math.max(start, focusStart + focusLength - max), highest = Math.min(start + length - max, focusStart);
    const wanted = fromStart ? focusStart - o.lead : focusStart + focusLength + o.lead - max;
    return [Math.min(Math.max(wanted, lowest), highest), max];
  };
  const rtl = getComputedStyle(target).direction === 'rtl';
  [region.x, region.width] = fit(region.x, region.width, maxWidth - 2 * o.pad, must.x, must.width, !rtl);
  [region.y, region.height] = fit(region.y, region.height, maxHeight - 2 * o.pad, must.y, must.height, true);
  region = clip({x: region.x - o.pad, y: region.y - o.pad, width: region.width + 2 * o.pad, height: region.height + 2 * o.pad}, view);
  // Too narrow to read as a screen: widen around the control, up to the reading width.
  const minWidth = Math.min(maxWidth, o.minWidth);
  if (region.width < minWidth) {
    const grow = minWidth - region.width;
    region.x = Math.max(0, Math.min(region.x - grow / 2, view.width - minWidth));
    region.width = minWidth;
  }
  return {region, textPx, maxWidth, maxHeight, control, element};
}
"""

# Every image the picture shows, loaded and decoded: <img> and SVG <image> elements, and CSS images (a
# background, or the generated content of ::before and ::after, as pages draw photos and logos too). A photo
# swapped in late must not be caught half-drawn, nor one drawn by CSS missed by the privacy checks: an empty
# box whose generated image has not loaded has no size, so nothing would look at it. Bounded: an image that
# never answers leaves the picture to the stable-frame check.
DECODE_JS = """async () => {
  const kept = [...document.querySelectorAll('[data-stepshot-keep], [data-stepshot-keep] *')]
    .filter(el => el.checkVisibility({visibilityProperty: true}));
  const waits = kept.filter(el => el.localName === 'img' || el.localName === 'image')
    .map(img => (img.decode ? img.decode() : Promise.resolve()).catch(() => null));
  const urls = new Set();
  for (const el of kept) {
    for (const pseudo of [null, '::before', '::after']) {
      const style = getComputedStyle(el, pseudo);
      const values = pseudo ? [style.backgroundImage, style.content] : [style.backgroundImage];
      for (const value of values) for (const [, url] of value.matchAll(/url\\("((?:[^"\\\\]|\\\\.)*)"\\)/g)) urls.add(url);
    }
  }
  for (const url of urls) {
    const image = new Image();
    image.src = url;
    waits.push(image.decode().catch(() => null));
  }
  await Promise.race([Promise.all(waits), new Promise(resolve => setTimeout(resolve, 5000))]);
  await document.fonts.ready;
}"""

UNMASK_JS = """cls => {
  document.documentElement.classList.remove(cls);
  for (const el of document.querySelectorAll('[data-stepshot-keep]')) el.removeAttribute('data-stepshot-keep');
}"""

# A `header` is the page's banner only outside article, aside, main, nav and section (ARIA's rule).
KEEP_ONLY_JS = """([selector, cls]) => {
  for (const el of document.querySelectorAll('[data-stepshot-keep]')) el.removeAttribute('data-stepshot-keep');
  const banner = el => el.localName !== 'header' || !el.parentElement.closest('article, aside, main, nav, section');
  const kept = [...document.querySelectorAll(selector)].filter(el => el.checkVisibility() && banner(el));
  for (const el of kept) el.setAttribute('data-stepshot-keep', '');
  document.documentElement.classList.add(cls);
  return kept.length;
}"""


@dataclass(frozen=True)
class Focus:
    region: dict        # the crop before the annotation, CSS pixels of the viewport
    text_px: float      # the size of the control's own text (its accessible name)
    max_width: int      # the widest the picture may be and stay readable
    max_height: int
    control: dict       # what the outline goes around: the control, or the words of a wide row
    element: dict       # the control's own box


def options(label: str, viewport: str, overlay_id: str) -> dict:
    """FOCUS_JS's options: it masks everything but the step's region and measures the crop (the page stays
    masked until UNMASK_JS)."""
    mobile = viewport == "mobile"
    return {"contentWidth": CONTENT_WIDTH[viewport], "readingPx": READING_PX, "pad": PAD, "maskClass": MASK_CLASS,
            "overlayId": overlay_id, "aspect": 1.6 if mobile else 1.0, "minHeight": 320 if mobile else 240,
            "minWidth": 0 if mobile else 360, "lead": 24, "label": " ".join(label.split())}


def found(result: dict) -> Focus:
    """FOCUS_JS's answer."""
    return Focus(result["region"], result["textPx"], result["maxWidth"], result["maxHeight"], result["control"],
                 result["element"])


async def unmask(page) -> None:
    await page.evaluate(UNMASK_JS, MASK_CLASS)


async def keep_only(page, selector: str) -> int:
    """Mask everything but the elements matching `selector` (for the whole-screen inset)."""
    return await page.evaluate(KEEP_ONLY_JS, [selector, MASK_CLASS])
