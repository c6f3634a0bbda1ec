"""Dashboard figures drawn as PNG images for the Word summary (matplotlib, Agg, no pyplot).

The charts need a font with Chinese glyphs; `cjk_font()` looks for one among the fonts
matplotlib finds (Debian's fonts-noto-cjk gives "Noto Sans CJK SC"). Without one the summary
leaves the charts out and says so, rather than printing boxes for every character.
"""

from functools import cache
from io import BytesIO

import matplotlib

matplotlib.use("Agg")  # before any other matplotlib import: no display on a server

from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure as PlotFigure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from taizhang.analysis.selectors import Figure  # noqa: E402

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Sans CJK JP",
)
PALETTE = ("#b31b1b", "#1d5fa8", "#1e7b34", "#d99a00", "#6b4fa8", "#0f6466", "#98a2b0")
WIDTH_CM = 15
HEIGHT_CM = 7.5
DPI = 200


@cache
def cjk_font() -> str | None:
    """The first installed font family that has Chinese glyphs, or None.

    matplotlib keeps its font list in a cache built the first time it ran; fonts installed
    after that (fonts-noto-cjk on a machine that already had matplotlib) are looked for on
    disk and added once."""
    found = _first_cjk_family()
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(key in path for key in ("CJK", "SourceHan", "wqy", "simhei", "msyh")):
                font_manager.fontManager.addfont(path)
        found = _first_cjk_family()
    return found


def _first_cjk_family() -> str | None:
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _number(value) -> float:
    return float(value) if not isinstance(value, str) else 0.0


def chart_png(figure: Figure) -> bytes | None:
    """`figure` as a PNG (15 × 7.5 cm at 200 dpi), or None when there is nothing to draw or
    no Chinese font to draw it with."""
    font = cjk_font()
    if font is None or figure.is_empty:
        return None
    charted = [series for series in figure.series if series.chart]
    rc = {
        "font.family": "sans-serif",
        "font.sans-serif": [font, "DejaVu Sans"],
        "font.size": 8,
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(rc):
        plot = PlotFigure(
            figsize=(WIDTH_CM / 2.54, HEIGHT_CM / 2.54), dpi=DPI, layout="constrained"
        )
        FigureCanvasAgg(plot)
        axes = plot.add_subplot()
        if figure.kind == "pie":
            _pie(axes, figure, charted[0])
        else:
            _bars(plot, axes, figure, charted)
        buffer = BytesIO()
        plot.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _pie(axes, figure: Figure, series) -> None:
    pairs = [
        (label, _number(point.value))
        for label, point in zip(figure.categories, series.points, strict=True)
        if _number(point.value) > 0
    ]
    axes.pie(
        [value for _label, value in pairs],
        labels=[f"{label}：{value:g}" for label, value in pairs],
        colors=PALETTE[: len(pairs)],
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.45, "edgecolor": "white"},
    )
    axes.set_aspect("equal")


def _bars(plot, axes, figure: Figure, charted) -> None:
    positions = list(range(len(figure.categories)))
    count = len(charted)
    grouped = figure.kind == "grouped" and count > 1
    width = 0.8 / count if grouped else 0.6
    bottoms = [0.0] * len(positions)
    counts_only = True
    for index, series in enumerate(charted):
        values = [_number(point.value) for point in series.points]
        counts_only = counts_only and all(isinstance(p.value, int) for p in series.points)
        color = series.color or PALETTE[index % len(PALETTE)]
        if grouped:
            offset = (index - (count - 1) / 2) * width
            xs = [x + offset for x in positions]
            bars = axes.bar(xs, values, width, label=series.name, color=color)
            axes.bar_label(bars, fmt="%g", fontsize=7, padding=1)
        elif figure.kind == "stacked":
            bars = axes.bar(
                positions, values, width, bottom=bottoms, label=series.name, color=color
            )
            axes.bar_label(
                bars,
                labels=[f"{v:g}" if v else "" for v in values],
                label_type="center",
                fontsize=7,
                color="white",
            )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        else:
            bars = axes.bar(positions, values, width, label=series.name, color=color)
            axes.bar_label(bars, fmt="%g", fontsize=7, padding=1)
    axes.set_xticks(positions)
    rotate = len(positions) > 6 or max((len(c) for c in figure.categories), default=0) > 8
    axes.set_xticklabels(
        figure.categories, rotation=30 if rotate else 0, ha="right" if rotate else "center"
    )
    if counts_only:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    if figure.unit:
        axes.set_title(figure.unit, loc="left", fontsize=7, color="#555555")
    axes.margins(y=0.15)
    axes.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    axes.set_axisbelow(True)
    if count > 1:
        plot.legend(loc="outside upper center", ncols=min(count, 5), frameon=False, fontsize=7)
