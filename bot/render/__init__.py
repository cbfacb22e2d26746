"""A digest as files: a PNG chart (chart.py, matplotlib) and an Excel workbook (workbook.py, openpyxl).

Both take a `bot.rules.digest.Digest`, a language and the office's time zone, and return bytes; they
touch no database and no Telegram. The modules are not imported here, so importing one does not load
the other's library (matplotlib takes about half a second to import).
"""
