"""Everything a digest is sent as: the text pieces (the short headline first, then the details),
the chart and its caption."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.narrative import MARK
from bot.render.chart import chart_png
from bot.rules.digest import Digest
from bot.texts import period_name, t
from bot.views.digest import messages


def bundle(digest: Digest, lang: str, tz: ZoneInfo) -> tuple[list[str], bytes, str]:
    mark = MARK.get(lang, MARK["en"]) if digest.narrative else None
    caption = t(lang, "digest.chart_caption", title=t(lang, f"digest.kind.{digest.period.kind}"),
                label=period_name(digest.period.label, lang))
    return messages(digest, lang, tz, mark=mark), chart_png(digest, lang, tz, trend=digest.trend), caption
