"""The report's charts as PNG bytes: pure functions of the report data, drawn for a phone.

Each chart is 560 CSS pixels wide at 2x density (1120 px), with fonts large enough to read at
that size, flat colours (no transparency) and no timestamps in the file, so that the same data
always gives the same bytes and a small attachment. Drawn with matplotlib's object-oriented API
on an Agg canvas: no pyplot, no global backend switch, nothing shared with other code. Labels
that come from data are drawn with math parsing off, so a `$` in a name stays a `$`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from io import BytesIO

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image  # matplotlib's own image dependency

from smarketing.report.filters import amount, count, oneline, rate
from smarketing.report.model import ChannelRow, DailyPoint, FunnelStage

WIDTH_INCHES = 5.6  # 560 CSS px at 100 dpi; saved at 200 dpi for 2x screens
DPI = 200
FONT = 13  # points: about 18 CSS px at 560 px wide, still 11 px on a 340 px phone column
SMALL = 12

INK = "#1f2933"
MUTED = "#52606d"
GRID = "#e4e7eb"
SPEND = "#9fb3c8"
LEADS = "#c2410c"
BAR = "#3e6fb0"
GOOD = "#2f855a"
BAD = "#c53030"

PALETTE_COLOURS = 32


def spend_and_leads_chart(daily: Sequence[DailyPoint], currency: str) -> bytes:
    """Spend per day as bars (left axis) and leads per day as a line (right axis)."""
    figure, axes = _figure(height_inches=3.0)
    if not daily:
        return _empty(figure, axes, "No spend or leads in the period")
    positions = list(range(len(daily)))
    spend = [float(point.spend) for point in daily]
    leads = [point.leads for point in daily]

    axes.bar(positions, spend, width=0.75, color=SPEND, label=f"Spend, {currency}", zorder=2)
    axes.set_ylim(0, max(max(spend), 1.0) * 1.15)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: _compact(value)))
    axes.set_ylabel(currency, fontsize=SMALL, color=MUTED)
    axes.grid(axis="y", color=GRID, linewidth=1, zorder=0)

    right = axes.twinx()
    right.plot(positions, leads, color=LEADS, linewidth=2.5, marker="o" if len(daily) <= 14 else None, label="Leads")
    right.set_ylim(0, max(max(leads), 1) * 1.15)
    right.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    right.set_ylabel("leads", fontsize=SMALL, color=LEADS)
    right.tick_params(axis="y", labelsize=SMALL, colors=LEADS, length=0)
    for spine in right.spines.values():
        spine.set_visible(False)

    step = max(1, -(-len(daily) // 6))  # at most six date labels
    ticks = positions[::step]
    axes.set_xticks(ticks, [_short_day(daily[i].day) for i in ticks])
    axes.set_xlim(-0.6, len(daily) - 0.4)
    axes.tick_params(axis="x", pad=8)
    _style(axes)

    handles = [*axes.get_legend_handles_labels()[0], *right.get_legend_handles_labels()[0]]
    labels = [*axes.get_legend_handles_labels()[1], *right.get_legend_handles_labels()[1]]
    axes.legend(
        handles,
        labels,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncols=2,
        frameon=False,
        fontsize=SMALL,
        borderaxespad=0.2,
        handlelength=1.5,
    )
    return _png(figure)


def funnel_chart(funnel: Sequence[FunnelStage]) -> bytes:
    """One horizontal bar per stage, top to bottom, with the count and the conversion from the
    stage above."""
    figure, axes = _figure(height_inches=0.55 * max(len(funnel), 1) + 0.5)
    if not funnel:
        return _empty(figure, axes, "No funnel data for the period")
    positions = list(range(len(funnel)))
    persons = [stage.persons for stage in funnel]
    widest = max(max(persons), 1)
    axes.barh(positions, persons, height=0.7, color=BAR, zorder=2)
    for position, stage in zip(positions, funnel, strict=True):
        label = count(stage.persons)
        if position > 0:
            label += f"  ({rate(stage.conversion_rate)}{', provisional' if stage.conversion_is_provisional else ''})"
        axes.text(stage.persons + widest * 0.02, position, label, va="center", ha="left", fontsize=FONT, color=INK)
    axes.set_yticks(positions, [oneline(stage.label) for stage in funnel], parse_math=False)
    axes.invert_yaxis()
    axes.set_xlim(0, widest * 1.6)  # room for the labels right of the bars
    axes.set_xticks([])
    axes.spines["bottom"].set_visible(False)
    _style(axes)
    return _png(figure)


def channel_chart(channels: Sequence[ChannelRow], currency: str) -> bytes:
    """CPL (left) and ROMI (right) of the channels that have either, as horizontal bars."""
    shown = [row for row in channels if row.cpl is not None or row.romi_percent is not None]
    figure = Figure(figsize=(WIDTH_INCHES, 0.5 * max(len(shown), 1) + 0.9), dpi=DPI, facecolor="white")
    if not shown:
        axes = figure.add_subplot()
        return _empty(figure, axes, "No paid channels in the period")
    cpl_axes, romi_axes = figure.subplots(1, 2, sharey=True, gridspec_kw={"wspace": 0.08})
    positions = list(range(len(shown)))

    cpls = [float(row.cpl) if row.cpl is not None else 0.0 for row in shown]
    cpl_axes.barh(positions, cpls, height=0.65, color=BAR, zorder=2)
    cpl_top = max(max(cpls), 1.0)
    for position, row in zip(positions, shown, strict=True):
        text = _money_label(row.cpl)
        cpl_axes.text(
            (float(row.cpl) if row.cpl is not None else 0) + cpl_top * 0.03,
            position,
            text,
            va="center",
            ha="left",
            fontsize=SMALL,
            color=INK,
        )
    cpl_axes.set_xlim(0, cpl_top * 1.45)
    cpl_axes.set_title(f"CPL, {currency}", fontsize=FONT, color=INK, loc="left")
    cpl_axes.set_yticks(positions, [oneline(row.channel) for row in shown], parse_math=False)
    cpl_axes.invert_yaxis()

    romis = [float(row.romi_percent) if row.romi_percent is not None else 0.0 for row in shown]
    low, high = min(min(romis), 0.0), max(max(romis), 0.0)
    span = max(high - low, 1.0)
    romi_axes.barh(positions, romis, height=0.65, color=[GOOD if v >= 0 else BAD for v in romis], zorder=2)
    romi_axes.axvline(0, color=MUTED, linewidth=1, zorder=3)
    for position, row, value in zip(positions, shown, romis, strict=True):
        text = f"{amount(row.romi_percent, 0)}%" if row.romi_percent is not None else "n/a"
        right_side = value >= 0
        romi_axes.text(
            value + (span * 0.03 if right_side else -span * 0.03),
            position,
            text,
            va="center",
            ha="left" if right_side else "right",
            fontsize=SMALL,
            color=INK,
        )
    romi_axes.set_xlim(low - (span * 0.45 if low < 0 else 0), high + span * 0.45)
    romi_axes.set_title("ROMI", fontsize=FONT, color=INK, loc="left")
    romi_axes.tick_params(axis="y", length=0, labelleft=False)

    for axes in (cpl_axes, romi_axes):
        axes.set_xticks([])
        axes.spines["bottom"].set_visible(False)
        _style(axes)
    romi_axes.spines["left"].set_visible(False)
    return _png(figure)


def _figure(*, height_inches: float) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH_INCHES, height_inches), dpi=DPI, facecolor="white")
    return figure, figure.add_subplot()


def _style(axes: Axes) -> None:
    axes.set_facecolor("white")
    axes.tick_params(axis="both", labelsize=FONT, colors=INK, length=0)
    axes.tick_params(axis="y", labelsize=FONT)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.spines["left"].set_color(GRID)
    axes.spines["bottom"].set_color(GRID)


def _empty(figure: Figure, axes: Axes, message: str) -> bytes:
    figure.set_size_inches(WIDTH_INCHES, 1.2)
    axes.set_axis_off()
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=FONT, color=MUTED, transform=axes.transAxes)
    return _png(figure)


def _png(figure: Figure) -> bytes:
    """Draw, then keep at most 32 colours (flat charts need no more; anti-aliased edges survive)
    and write an optimised PNG without text chunks: a few KB, byte for byte reproducible."""
    figure.set_layout_engine("constrained")
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    rgba = canvas.buffer_rgba()
    image = Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1).convert("RGB")
    palette = image.quantize(colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = BytesIO()
    palette.save(buffer, format="png", optimize=True)
    return buffer.getvalue()


def _compact(value: float) -> str:
    """Axis and bar labels: 950, 1.2k, 12k, 1.5M."""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if magnitude >= 10_000:
        return f"{value / 1000:.0f}k"
    if magnitude >= 1000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    if magnitude >= 100 or value == int(value):
        return f"{value:.0f}"
    return f"{value:.2f}"


def _money_label(value: Decimal | None) -> str:
    """A bar's money label, rounded like the tables (half up): 72.43, 1.2k."""
    if value is None:
        return "n/a"
    return amount(value) if abs(value) < 1000 else _compact(float(value))


def _short_day(day: date) -> str:
    return f"{day.day} {day:%b}"
