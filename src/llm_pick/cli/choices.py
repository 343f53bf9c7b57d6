"""The CLI's fixed choices, without typer: the console entry's fast path (cli/fastpath.py) and
the command bodies (cli/commands.py) use them, and cli/options.py declares the options."""

from enum import StrEnum


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"


class ChartAxis(StrEnum):
    quality = "quality"
    speed = "speed"


CHART_DEFAULT = "quality"


def chart_value(argv: list[str]) -> list[str]:
    """`--chart` alone means `--chart quality` (typer has no option with an optional value):
    the next word is taken as the axis only when it is one."""
    out = []
    for index, word in enumerate(argv):
        out.append(word)
        if word == "--chart":
            following = argv[index + 1].lower() if index + 1 < len(argv) else ""
            if following not in {axis.value for axis in ChartAxis}:
                out.append(CHART_DEFAULT)
    return out
