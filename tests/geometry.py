"""Does a drawn edge cross a box? Shared by the tests of the layout, the SVG and the browser."""

from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Rect:
    id: str
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Segment:
    start: Point
    end: Point
    ends: frozenset[str]  # the boxes the edge joins (it may touch those)
    label: str


def crosses(segment: Segment, rect: Rect, inset: float = 0.5) -> bool:
    """Whether the segment enters the box's interior (shrunk by ``inset``; Liang–Barsky clip)."""
    (x0, y0), (x1, y1) = segment.start, segment.end
    left, right = rect.left + inset, rect.right - inset
    top, bottom = rect.top + inset, rect.bottom - inset
    if left >= right or top >= bottom:
        return False
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def edges_through_boxes(segments: list[Segment], rects: list[Rect]) -> list[str]:
    """Every (edge, box) pair where an edge crosses a box other than its own ends."""
    return [
        f"{segment.label} crosses {rect.id}"
        for segment in segments
        for rect in rects
        if rect.id not in segment.ends and crosses(segment, rect)
    ]
