#!/usr/bin/env python
"""Make the synthetic series of monitoring/series/ (see README.md there for what each is and how it is made).

Deterministic (a fixed seed per series): running it again rewrites the same files byte for byte.

    .venv/bin/python monitoring/series/make_series.py
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
CST = dt.timezone(dt.timedelta(hours=8))

# Weidmann's fundamental diagram of pedestrian flow (Weidmann 1993, as used by Helbing and in the SFPE handbook):
# free walking speed 1.34 m/s, jam density 5.4 p/m². Speed falls with density; the specific flow q = ρ·v(ρ)
# peaks near 1.8 p/m² (about 1.2 p/m/s = 72 p/m/min) and collapses towards the jam density.
V_FREE, GAMMA, RHO_JAM = 1.34, 1.913, 5.4


def speed(rho: float) -> float:
    """Walking speed (m/s) at density ``rho`` (p/m²)."""
    if rho <= 0.05:
        return V_FREE
    if rho >= RHO_JAM:
        return 0.0
    return V_FREE * (1.0 - math.exp(-GAMMA * (1.0 / rho - 1.0 / RHO_JAM)))


def outflow(rho: float, width_m: float) -> float:
    """People leaving a cell per second through an exit of ``width_m`` metres."""
    return rho * speed(rho) * width_m


def counted(true_count: float, rng: random.Random, *, rho: float, occlusion: bool = True) -> int:
    """What a camera AI counter reports: unbiased Gaussian error of 4 % in a light crowd, and (``occlusion``) an
    undercount that grows with density (heads hide heads) up to about 12 % at 5 p/m²."""
    undercount = 1.0 - min(0.12, 0.025 * max(0.0, rho - 0.5)) if occlusion else 1.0
    return max(0, round(true_count * undercount * rng.gauss(1.0, 0.04)))


def narrow_street_crush() -> Iterator[tuple[dt.datetime, int]]:
    """A 200 m² section of a narrow street (8 m × 25 m, no venue) on a festival night, fed from a wider street.
    Arrivals grow linearly from 0.3 to 4.5 p/s over 90 minutes; people leave through a 3 m bottleneck (a
    narrowing by stalls) at the Weidmann flow of the cell's density. Once arrivals pass the bottleneck's
    capacity the density climbs, the flow falls, and it runs away towards the jam density: a crush."""
    rng = random.Random(1029)
    area, width = 200.0, 3.0
    start = dt.datetime(2026, 10, 31, 20, 0, tzinfo=CST)
    people = 20.0
    step = 1.0  # seconds of simulation per step
    for second in range(0, 90 * 60 + 1):
        minute = second / 60.0
        arrivals = (0.3 + 4.2 * minute / 90.0) * rng.uniform(0.8, 1.2)
        rho = people / area
        people = max(0.0, people + (arrivals - outflow(rho, width)) * step)
        people = min(people, area * RHO_JAM)
        if second % 30 == 0:
            yield start + dt.timedelta(seconds=second), counted(people, rng, rho=people / area)


def fireworks_surge() -> Iterator[tuple[dt.datetime, int]]:
    """The 1,500 m² plaza between a riverside viewing area (20,000 people) and the streets home, from 20:30 to
    22:30. During the show a few people cross it; when the fireworks end at 21:30 the crowd leaves at once
    (departures follow a gamma curve peaking about 4 minutes after the end, 85 % gone within 25 minutes) and
    queues at the 20 m opening of the promenade. The plaza is a cell of the cell transmission model (Daganzo
    1994) on Weidmann's diagram: people enter as fast as the plaza can still take them (its supply falls once it
    is congested) and leave through 14 m of streets at the capacity flow. It surges to red within minutes, stays
    congested while the riverside empties, then declines."""
    rng = random.Random(2131)
    area, entry_width, exit_width, crowd = 1500.0, 20.0, 14.0, 20_000
    start = dt.datetime(2026, 10, 1, 20, 30, tzinfo=CST)
    end_of_show = 60 * 60  # seconds after start
    shape, scale = 3.0, 120.0  # gamma(k=3, θ=2 min): mode at 4 minutes
    rho_c = max((r / 100.0 for r in range(5, 540)), key=lambda r: r * speed(r))  # density of the capacity flow
    q_max = rho_c * speed(rho_c)
    people, waiting = 420.0, 0.0
    for second in range(0, 120 * 60 + 1):
        passers_by = rng.uniform(0.1, 0.3)
        if second < end_of_show:
            # Watchers drift in until the last minutes of the show and stay put: nobody leaves the plaza yet.
            people += rng.uniform(0.0, 0.1)
            if second % 15 == 0:
                yield start + dt.timedelta(seconds=second), counted(people, rng, rho=people / area)
            continue
        if second >= end_of_show:
            t = second - end_of_show + 1
            share = t ** (shape - 1) * math.exp(-t / scale) / (math.gamma(shape) * scale**shape)
            waiting += crowd * 0.85 * share * rng.uniform(0.85, 1.15)
        rho = people / area
        supply = entry_width * (q_max if rho <= rho_c else rho * speed(rho))
        entering = min(waiting, supply)
        waiting -= entering
        leaving = exit_width * min(q_max, rho * speed(rho)) * rng.uniform(0.9, 1.1)
        people = max(0.0, min(area * RHO_JAM, people + entering + passers_by - leaving))
        if second % 15 == 0:
            yield start + dt.timedelta(seconds=second), counted(people, rng, rho=people / area)


def boundary_hover() -> Iterator[tuple[dt.datetime, int]]:
    """A 1,000 m² standing area in front of a stage, filled to about 3.5 p/m² (the standing orange boundary) and
    kept there by stewards holding entry: a rise from 2,600 over the first 20 minutes, then 70 minutes around
    3,500 — an Ornstein–Uhlenbeck process (pull back to 3,500 with a 2-minute time constant, σ 45 people per
    √30 s) plus the counter's noise (stewards' clickers at the entries: no occlusion) — so the count crosses the
    boundary again and again."""
    rng = random.Random(3500)
    start = dt.datetime(2026, 5, 1, 19, 0, tzinfo=CST)
    area, target = 1000.0, 3500.0
    level = 2600.0
    theta = 30.0 / 120.0  # per 30-second step
    for index in range(0, 90 * 2 + 1):
        minute = index / 2.0
        mean = 2600.0 + (target - 2600.0) * min(1.0, minute / 20.0)
        level += theta * (mean - level) + rng.gauss(0.0, 45.0)
        yield start + dt.timedelta(minutes=minute), counted(level, rng, rho=level / area, occlusion=False)


SERIES = {
    "narrow_street_crush.csv": narrow_street_crush,
    "fireworks_surge.csv": fireworks_surge,
    "boundary_hover.csv": boundary_hover,
}


def main() -> None:
    for name, make in SERIES.items():
        with (HERE / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["time", "count"])
            for moment, count in make():
                writer.writerow([moment.isoformat(), count])
        print(name)


if __name__ == "__main__":
    main()
