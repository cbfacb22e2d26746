"""Parts of the text catalog (bot/texts.py merges them into CATALOG), one module per area, so an
area's texts live beside each other: `TEXTS: dict[str, tuple[str, str]]`, (Chinese, English)."""
