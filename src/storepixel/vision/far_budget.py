"""Which slices of its far band one camera looks at again on this frame, within a time budget.

The far band (``OnnxDetector.far_windows``: the rows where the camera's person-size map expects
people too small for the model's input, cut into enlarged slices) costs about one inference per
slice, as much as the whole frame's first pass. Run on every frame it would double or triple a
deep view's detector time. So each camera gets a budget: its far band may spend at most
``share`` of what its base passes (the first pass and whatever other passes ran) spent, summed
over the stream. Costs are counted in model-input pixels, which is what a CNN's time follows and
which, unlike a clock, is the same on every run and is not inflated by other cameras' threads.

The budget is a bucket: each frame adds ``share`` × its base cost to the credit, and the credit
is spent in two ways:

- a **scan**: the slices in turn, the longest-unseen first, each only while the credit also
  keeps a reserve of ``burst - 1`` more looks at it;
- a **burst**: a slice whose look found someone new (a person the base passes missed, not where
  that slice last found one) is looked at again on the next ``burst - 1`` frames, from the
  reserve. A tracker confirms a person only after a few detections in a row (storepixel's:
  3), so a far person seen once every few frames would never be reported; seen three times in
  a row they are, and from then on a look now and then keeps their track (a tracker holds a
  confirmed person through seconds of misses).

So a camera spends at most its share, a deep view with no one far away only scans, and a camera
whose size map has no far band spends nothing.

>>> budget = FarBandBudget(share=0.5, burst=1)
>>> [budget.choose(100.0, [100.0, 100.0]) for _ in range(4)]  # one slice every other frame
[[], [0], [], [1]]
>>> budget.spent <= 0.5 * budget.base
True
"""

from __future__ import annotations

from collections.abc import Sequence

BURST = 3  # looks in a row after a new find: storepixel's tracker confirms on the 3rd hit


class FarBandBudget:
    """One camera's far-band spending: what it may run now and what it found there."""

    __slots__ = ("_burst_left", "_last_run", "base", "burst", "credit", "frames", "share", "spent")

    def __init__(self, share: float, burst: int = BURST) -> None:
        if share < 0 or burst < 1:
            raise ValueError(
                f"far-band budget needs share >= 0 and burst >= 1, got {share}, {burst}"
            )
        self.share = share
        self.burst = burst
        self.credit = 0.0
        self.base = 0.0  # base-pass cost so far (for reports: spent / base is the share used)
        self.spent = 0.0  # far-band cost so far
        self.frames = 0
        self._last_run: list[int] = []  # per slice: frame of its last look (-1: never)
        self._burst_left: list[int] = []  # per slice: looks still owed to a new find

    def choose(self, base_cost: float, slice_costs: Sequence[float]) -> list[int]:
        """Indices of the slices to run on this frame, whose base passes cost ``base_cost``;
        ``slice_costs``: each slice's cost (no slices: the size map wants no far band)."""
        self.frames += 1
        self.base += base_cost
        n = len(slice_costs)
        if n != len(self._last_run):  # the band was re-cut (the size map moved): start afresh
            self._last_run, self._burst_left = [-1] * n, [0] * n
        if not n:
            return []
        reserve = (self.burst - 1) * max(slice_costs)
        self.credit = min(self.credit + self.share * base_cost, reserve + float(sum(slice_costs)))
        chosen = []
        # Owed burst looks first (a scan never takes their reserve), then the longest-unseen.
        for i in sorted(range(n), key=lambda i: (self._burst_left[i] == 0, self._last_run[i])):
            owed = self._burst_left[i] > 0
            if slice_costs[i] + (0.0 if owed else reserve) <= self.credit:
                self.credit -= slice_costs[i]
                self.spent += slice_costs[i]
                self._last_run[i] = self.frames
                self._burst_left[i] = max(0, self._burst_left[i] - 1)
                chosen.append(i)
        return chosen

    def found(self, index: int, added: bool, new: bool) -> None:
        """What the look at slice ``index`` gave: ``added`` = someone the base passes missed,
        ``new`` = one of them not where this slice last found someone (starts a burst)."""
        if index >= len(self._burst_left):
            return
        if not added:
            self._burst_left[index] = 0
        elif new:
            self._burst_left[index] = self.burst - 1
