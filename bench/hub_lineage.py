"""The lineage of a synthetic Hub dump: who derives from whom, how, and when, grown model by
model in creation order."""

import random
from array import array
from bisect import bisect

from hub_pools import (
    ADAPTER,
    DAY,
    FINETUNE,
    FLOOR,
    HUBS,
    MERGE,
    QUANTIZED,
    QUANTIZERS,
    ROOT,
    STEMS,
    WORDS,
    author_name,
    base36,
    day,
    timeline,
    timeline_fraction,
    zipf_cumulative,
)

P_ROOT = 0.60
# Cumulative relation draw for a child: fine-tune, quantisation, adapter, merge.
P_FINETUNE, P_QUANTIZED, P_ADAPTER = 0.555, 0.855, 0.975
# Parent draw: a quantised model (rare, so that ~99% of them stay leaves), else a hub, else a recent
# fine-tune (chains), else preferential attachment over everything that can have children.
P_QUANT_PARENT, P_HUB, P_RECENT = 0.0015, 0.55, 0.70
DEEP, KEEP_DEEP = 8, 0.42  # a parent this deep is kept with this chance, else its parent is tried
HUB_DAMPING = 30.0
P_HUB_ITSELF = 0.5  # a hub draw takes the hub itself, else a model in its tree
P_ROOT_TARGET = 0.3  # share of new roots that anyone may build on
RECENT = 48  # how far back "recent" reaches, in fine-tunes
P_DATE_VIOLATION = 0.001


class Lineage:
    """The dump's models as compact arrays, indexed in creation order."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        rng = random.Random(f"hub-dump:{seed}:lineage")
        self.parent = array("i", [-1]) * n  # first parent, or -1
        self.extra: dict[int, tuple[int, ...]] = {}  # merges: the further parents
        self.relation = bytearray(n)
        self.family = array("H", [0]) * n  # index into STEMS
        self.word = bytearray(n)  # index into WORDS[relation]
        self.author = array("i", [0]) * n  # index into the author pool
        self.depth = bytearray(n)
        self.created = array("q", [0]) * n
        self.hub_at: dict[int, int] = {}  # index -> number in HUBS
        self.problem: dict[int, str] = {}  # index -> the quality problem it carries
        self.authors = max(50, n // 20)
        self.author_names = [author_name(k) for k in range(self.authors)]

        for i in range(n):
            self.created[i] = timeline((i + rng.random()) / n)
        self._place_hubs(rng)
        self._plan_problems(rng)
        self._grow(rng)
        self.date_violations = self._misdate(rng)
        self.descendants = self._descendants()

    def _place_hubs(self, rng: random.Random) -> None:
        """Put each hub where the timeline reaches its release day, and date it that day."""
        for h, (_, released, *_) in enumerate(HUBS[: max(1, self.n // 200)]):
            when = max(FLOOR, day(released) + rng.randrange(DAY))
            slot = min(int(timeline_fraction(when) * self.n), self.n - 1)
            while slot in self.hub_at:
                slot = slot + 1 if slot + 1 < self.n else 0
            self.hub_at[slot] = h
            # everything after the slot is dated after it, so the hub's children stay after it
            self.created[slot] = min(when, timeline((slot + 1) / self.n) - 1)

    def _plan_problems(self, rng: random.Random) -> None:
        if self.n < 1000:
            return
        each = max(2, self.n // 200_000)
        for kind in ("self", "missing", "single-merge", "mutual") * each:
            while True:
                i = rng.randrange(self.n // 5, self.n - 1)
                slots = (i, i + 1) if kind == "mutual" else (i,)
                if not any(s in self.hub_at or s in self.problem for s in slots):
                    break
            if kind == "mutual":  # i is a root that also names i + 1, a fine-tune of i
                self.problem[i], self.problem[i + 1] = "mutual", "mutual-child"
            else:
                self.problem[i] = kind

    def _grow(self, rng: random.Random) -> None:
        random_, randrange = rng.random, rng.randrange
        parent, relation, family, word = self.parent, self.relation, self.family, self.word
        author, depth, extra = self.author, self.depth, self.extra
        n_hubs = len(HUBS)
        author_cum = zipf_cumulative(self.authors, 1.0, 10.0)
        author_total = author_cum[-1]
        targets = array("i")  # preferential attachment: each model once, plus once per child
        recent = array("i", [0]) * RECENT
        quants = array("i", [0]) * RECENT
        n_recent = n_quants = 0
        hub_nodes: list[int] = []  # the hubs created so far, and their summed weights
        hub_cum: list[float] = []
        in_tree = [array("i") for _ in HUBS]  # per hub: the models below it one may build on

        def pick() -> int:
            p = draw()
            # deep models are built on less: step up to the parent, more likely the deeper it is
            while depth[p] >= DEEP and random_() > KEEP_DEEP:
                p = parent[p]
            return p

        def draw() -> int:
            u = random_()
            if u < P_QUANT_PARENT and n_quants:
                return quants[randrange(min(n_quants, RECENT))]
            if u < P_HUB and hub_nodes:
                # the hubs' pull grows with their weight: one early hub does not take every child
                x = random_() * (hub_cum[-1] + HUB_DAMPING)
                if x < hub_cum[-1]:
                    hub = hub_nodes[bisect(hub_cum, x)]
                    below = in_tree[family[hub]]
                    if below and random_() >= P_HUB_ITSELF:
                        return below[randrange(len(below))]
                    return hub
            if u < P_RECENT and n_recent:
                return recent[randrange(min(n_recent, RECENT))]
            return targets[randrange(len(targets))]

        for i in range(self.n):
            h = self.hub_at.get(i)
            if h is not None:
                family[i] = h
                hub_nodes.append(i)
                hub_cum.append((hub_cum[-1] if hub_cum else 0.0) + HUBS[h][4])
                targets.append(i)
                continue
            problem = self.problem.get(i)
            if problem in ("self", "missing", "mutual") or (
                problem is None and (not targets or random_() < P_ROOT)
            ):
                family[i] = n_hubs + randrange(len(STEMS) - n_hubs)
                word[i] = randrange(len(WORDS[ROOT]))
                author[i] = bisect(author_cum, random_() * author_total)
                if problem == "missing":  # a fine-tune whose parent is not in the dump
                    relation[i] = FINETUNE
                    word[i] = randrange(len(WORDS[FINETUNE]))
                if random_() < P_ROOT_TARGET:
                    targets.append(i)
                continue

            u = random_()
            kind = (
                FINETUNE
                if u < P_FINETUNE
                else QUANTIZED
                if u < P_QUANTIZED
                else ADAPTER
                if u < P_ADAPTER
                else MERGE
            )
            if problem == "mutual-child":
                kind, parents = FINETUNE, [i - 1]
            elif problem == "single-merge":
                kind, parents = MERGE, [pick()]
            elif kind == MERGE:
                parents = []
                for _ in range(rng.randint(2, 4)):
                    for _attempt in range(8):
                        p = pick()
                        if p not in parents:
                            parents.append(p)
                            break
                if len(parents) < 2:  # too few models yet to merge two distinct ones
                    kind = FINETUNE
                    del parents[1:]
            else:
                parents = [pick()]

            relation[i] = kind
            parent[i] = parents[0]
            if len(parents) > 1:
                extra[i] = tuple(parents[1:])
            depth[i] = min(255, 1 + max(depth[p] for p in parents))
            family[i] = family[parents[0]]
            word[i] = randrange(len(WORDS[kind]))
            if kind == QUANTIZED and random_() < 0.3:
                author[i] = randrange(QUANTIZERS)
            else:
                author[i] = bisect(author_cum, random_() * author_total)
            targets.extend(parents)
            if kind == QUANTIZED:
                quants[n_quants % RECENT] = i
                n_quants += 1
            elif kind == ADAPTER:
                if random_() < 0.3:
                    targets.append(i)
            else:
                targets.append(i)
                recent[n_recent % RECENT] = i
                n_recent += 1
                if family[i] < n_hubs:
                    in_tree[family[i]].append(i)

    def _misdate(self, rng: random.Random) -> int:
        """Date ~0.1% of single-parent children before their parent; return how many."""
        if self.n < 1000:
            return 0
        wanted = max(2, round(P_DATE_VIOLATION * (self.n - self.relation.count(ROOT))))
        done = 0
        for _attempt in range(wanted * 1000):
            if done == wanted:
                break
            i = rng.randrange(self.n)
            p = self.parent[i]
            if p < 0 or i in self.extra or i in self.problem:
                continue
            room = self.created[p] - FLOOR
            if room < 2 * DAY:
                continue
            self.created[i] = self.created[p] - rng.randint(3600, min(90 * DAY, room - DAY))
            done += 1
        return done

    def _descendants(self) -> dict[int, int]:
        """Transitive descendant count of each root, over the planned (acyclic) edges."""
        n, parent, extra = self.n, self.parent, self.extra
        root_of = array("i", [0]) * n  # the one root above, or -1 when several (see several)
        several: dict[int, frozenset[int]] = {}
        counts: dict[int, int] = {}
        for i in range(n):
            p = parent[i]
            if p < 0:
                root_of[i] = i
                continue
            if i in extra:
                roots: set[int] = set()
                for q in (p, *extra[i]):
                    r = root_of[q]
                    roots.update(several[q] if r < 0 else (r,))
                if len(roots) == 1:
                    root_of[i] = roots.pop()
                else:
                    root_of[i] = -1
                    several[i] = frozenset(roots)
            else:
                root_of[i] = root_of[p]
                if root_of[i] < 0:
                    several[i] = several[p]
            r = root_of[i]
            for root in several[i] if r < 0 else (r,):
                counts[root] = counts.get(root, 0) + 1
        return counts

    # --- names ---

    def model_id(self, i: int) -> str:
        h = self.hub_at.get(i)
        if h is not None:
            return HUBS[h][0]
        return (
            f"{self.author_names[self.author[i]]}/{STEMS[self.family[i]]}"
            f"-{WORDS[self.relation[i]][self.word[i]]}-{base36(i)}"
        )


# --- pass 2: the records ------------------------------------------------------------------------
