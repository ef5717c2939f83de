"""The annotation drawn on each screenshot: an outline around the control, a numbered badge, a callout.

It is an overlay injected into the page at capture time and placed from the live control's box, so it
follows the real layout in every locale. The badge (step number) and the callout sit next to the
control on its inline-end side (right in left-to-right locales, left in right-to-left ones); where that
side has no room or would cover text, on the other side; failing that, below or above the control's
row (the control and the text beside it), the badge by the outline. Where the callout fits nowhere clear,
the badge goes alone; over text only when not even the badge fits. Never over the control, never on or
nearer to another control of the same role, always inside the crop, over the page's text or images only
when no clear spot exists. The overlay takes no
clicks and is removed before the step's action runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

OVERLAY_ID = "stepshot-annotation"
COLOR = "#c2410c"      # orange: unlike any colour of LinkedIn's interface; white on it has 5:1 contrast
GAP = 4                # between the control and the outline
STROKE = 3
MARGIN = 8             # between the outline and the badge, and from the crop's edge

Rect = dict  # {"x", "y", "width", "height"} in CSS pixels, relative to the viewport

DRAW_JS = """
([box, number, callout, rtl, lang, bounds, c, others]) => {
  document.getElementById(c.id)?.remove();
  const root = document.createElement('div');
  root.id = c.id;
  root.setAttribute('aria-hidden', 'true');
  root.dir = rtl ? 'rtl' : 'ltr';
  if (lang) root.lang = lang;
  root.style.cssText = 'position:fixed;inset:0;pointer-events:none;z-index:2147483647;margin:0;padding:0;' +
    'font:600 15px/1.3 system-ui,"Noto Sans","Noto Sans Arabic","Noto Sans Devanagari","Noto Sans CJK JP",sans-serif;';

  const pad = c.gap + c.stroke;
  // Around the control, but cut at the crop's edge where the control reaches it (full-width rows on phones).
  const x0 = Math.max(box.x - pad, bounds.x), y0 = Math.max(box.y - pad, bounds.y);
  const x1 = Math.min(box.x + box.width + pad, bounds.x + bounds.width);
  const y1 = Math.min(box.y + box.height + pad, bounds.y + bounds.height);
  const outline = {x: x0, y: y0, width: x1 - x0, height: y1 - y0};
  const ring = document.createElement('div');
  ring.dataset.part = 'outline';
  ring.style.cssText = `position:absolute;box-sizing:border-box;left:${outline.x}px;top:${outline.y}px;` +
    `width:${outline.width}px;height:${outline.height}px;border:${c.stroke}px solid ${c.color};border-radius:8px;` +
    'box-shadow:0 0 0 2px rgba(255,255,255,.9)';
  root.appendChild(ring);

  const group = document.createElement('div');
  group.style.cssText = 'position:absolute;display:flex;align-items:center;gap:6px;white-space:nowrap;';
  const badge = document.createElement('div');
  badge.dataset.part = 'badge';
  badge.textContent = String(number);
  badge.style.cssText = `flex:none;box-sizing:border-box;width:30px;height:30px;border-radius:50%;background:${c.color};` +
    'color:#fff;display:flex;align-items:center;justify-content:center;font-size:16px;font-weight:700;' +
    'border:2px solid #fff;box-shadow:0 1px 3px rgba(0,0,0,.35)';
  let note = null;
  if (callout) {
    note = document.createElement('div');
    note.dataset.part = 'callout';
    note.textContent = callout;
    note.style.cssText = `flex:none;padding:4px 10px;border-radius:6px;background:#fff;color:#1f2328;` +
      `border:2px solid ${c.color};box-shadow:0 1px 3px rgba(0,0,0,.25)`;
  }
  root.appendChild(group);
  document.documentElement.appendChild(root);

  const rectOf = el => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; };
  const inside = r => r.x >= bounds.x + c.margin && r.y >= bounds.y + c.margin &&
    r.x + r.width <= bounds.x + bounds.width - c.margin && r.y + r.height <= bounds.y + bounds.height - c.margin;
  const overlaps = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const clamp = (v, lo, hi) => Math.max(lo, Math.min(v, Math.max(lo, hi)));

  // What the badge and callout should not cover: the page's visible text (line by line) and images.
  const texts = [], images = [];
  const keep = (list, r) => { if (r.width > 0 && r.height > 0 && overlaps(r, bounds)) list.push({x: r.x, y: r.y, width: r.width, height: r.height}); };
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.nodeValue.trim() || !parent || root.contains(parent) || !parent.checkVisibility({visibilityProperty: true})) continue;
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) keep(texts, r);
  }
  for (const img of document.querySelectorAll('img, svg, video, canvas')) {
    if (!root.contains(img) && img.checkVisibility({visibilityProperty: true})) keep(images, img.getBoundingClientRect());
  }
  const content = [...texts, ...images];
  // Never on, or nearer to, another control of the same role: a callout must not point at the wrong row.
  const distance = (r, b) => {
    const cx = r.x + r.width / 2, cy = r.y + r.height / 2;
    const dx = Math.max(b.x - cx, 0, cx - (b.x + b.width)), dy = Math.max(b.y - cy, 0, cy - (b.y + b.height));
    return Math.hypot(dx, dy);
  };
  // Beside the control's own row (its centre in the control's band and in no other control's band) reads
  // as that row's; anywhere else it must be nearer the control than any other.
  const band = (r, b) => { const cy = r.y + r.height / 2; return cy > b.y && cy < b.y + b.height; };
  const unambiguous = r => others.every(o => !overlaps(r, o)) &&
    ((band(r, box) && !others.some(o => band(r, o))) || others.every(o => distance(r, box) < distance(r, o)));
  // Clear means a little space around too: text touching a callout reads as its subject.
  const clear = r => {
    const around = {x: r.x - c.margin / 2, y: r.y - c.margin / 2, width: r.width + c.margin, height: r.height + c.margin};
    return !content.some(other => overlaps(around, other));
  };
  // The control's row: the outline's band, grown by the lines of text centred in it (a two-line label).
  let rowTop = outline.y, rowBottom = outline.y + outline.height;
  for (const r of texts) {
    const middle = r.y + r.height / 2;
    if (middle > outline.y && middle < outline.y + outline.height) {
      rowTop = Math.min(rowTop, r.y);
      rowBottom = Math.max(rowBottom, r.y + r.height);
    }
  }

  // Children go in visual left-to-right order (row-reverse undoes the right-to-left flow).
  const arrange = (withCallout, badgeLeft) => {
    group.replaceChildren();
    const items = withCallout && note ? [badge, note] : [badge];
    const leftToRight = badgeLeft ? items : items.reverse();
    group.style.flexDirection = rtl ? 'row-reverse' : 'row';
    leftToRight.forEach(el => group.appendChild(el));
    return rectOf(group);
  };
  const centreY = outline.y + outline.height / 2;
  // Candidate spots for the group, best first. Beside the control the badge faces it. Above or below
  // the row the group lines up with one edge of the outline, the badge at that edge: under the
  // control's start when it fits (the badge then leads in reading order), else under its other edge.
  const spots = (side, withCallout) => {
    if (side === 'right' || side === 'left') {
      const size = arrange(withCallout, side === 'right');
      const x = side === 'right' ? outline.x + outline.width + c.margin : outline.x - c.margin - size.width;
      const y = clamp(centreY - size.height / 2, bounds.y + c.margin, bounds.y + bounds.height - c.margin - size.height);
      return [{badgeLeft: side === 'right', at: {x, y}, size}];
    }
    const found = [];
    for (const badgeLeft of rtl ? [false, true] : [true, false]) {
      const size = arrange(withCallout, badgeLeft);
      const y = side === 'below' ? rowBottom + c.margin : rowTop - c.margin - size.height;
      found.push({badgeLeft, at: {x: badgeLeft ? outline.x : outline.x + outline.width - size.width, y}, size});
    }
    // Neither edge fits across: the reading-order one, pulled inside the crop.
    const first = found[0];
    found.push({...first, at: {x: clamp(first.at.x, bounds.x + c.margin, bounds.x + bounds.width - c.margin - first.size.width),
                               y: first.at.y}});
    return found;
  };
  const sides = rtl ? ['left', 'right', 'below', 'above'] : ['right', 'left', 'below', 'above'];
  let chosen = null;
  // Best: the callout on a clear spot; then the badge alone on a clear spot; only then over some text.
  search:
  for (const [withCallout, needClear] of note ? [[true, true], [false, true], [true, false], [false, false]]
                                             : [[false, true], [false, false]]) {
    for (const side of sides) {
      for (const spot of spots(side, withCallout)) {
        const r = {...spot.at, width: spot.size.width, height: spot.size.height};
        if (inside(r) && !overlaps(r, outline) && unambiguous(r) && (!needClear || clear(r))) {
          chosen = {side, withCallout, ...spot};
          break search;
        }
      }
    }
  }
  if (!chosen) return {error: 'no room for the badge next to the control inside the crop'};
  arrange(chosen.withCallout, chosen.badgeLeft);
  group.style.left = chosen.at.x + 'px';
  group.style.top = chosen.at.y + 'px';
  return {outline, badge: rectOf(badge), callout: chosen.withCallout && note ? rectOf(note) : null,
          side: chosen.side};
}
"""

REMOVE_JS = "id => document.getElementById(id)?.remove()"


@dataclass(frozen=True)
class Annotation:
    outline: Rect
    badge: Rect
    callout: Rect | None
    side: str          # where the badge went: right, left, below, above

    def rects(self) -> list[Rect]:
        return [r for r in (self.outline, self.badge, self.callout) if r]


class NoRoom(Exception):
    """The control leaves no room for the badge inside the crop."""


CONSTANTS = {"id": OVERLAY_ID, "color": COLOR, "gap": GAP, "stroke": STROKE, "margin": MARGIN}


def drawn(result: dict) -> Annotation:
    """DRAW_JS's answer; NoRoom when it found no spot.

    DRAW_JS takes [box, number, callout, rtl, lang, bounds, CONSTANTS, others]: the overlay for a control
    whose box (viewport coordinates) is `box`, inside `bounds`, away from the `others` (the boxes of the
    other controls with the same role)."""
    if "error" in result:
        raise NoRoom(result["error"])
    return Annotation(result["outline"], result["badge"], result["callout"], result["side"])


def union(rects: list[Rect]) -> Rect:
    x0 = min(r["x"] for r in rects)
    y0 = min(r["y"] for r in rects)
    x1 = max(r["x"] + r["width"] for r in rects)
    y1 = max(r["y"] + r["height"] for r in rects)
    return {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}


def clamp(rect: Rect, bounds: Rect) -> Rect:
    x0, y0 = max(rect["x"], bounds["x"]), max(rect["y"], bounds["y"])
    x1 = min(rect["x"] + rect["width"], bounds["x"] + bounds["width"])
    y1 = min(rect["y"] + rect["height"], bounds["y"] + bounds["height"])
    return {"x": x0, "y": y0, "width": max(0, x1 - x0), "height": max(0, y1 - y0)}


def whole_pixels(rect: Rect) -> Rect:
    """Round outwards to whole CSS pixels, so the same layout always gives the same clip."""
    x0, y0 = math.floor(rect["x"]), math.floor(rect["y"])
    x1, y1 = math.ceil(rect["x"] + rect["width"]), math.ceil(rect["y"] + rect["height"])
    return {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
