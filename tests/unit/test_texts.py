"""The text catalog: both languages complete, parameters escaped."""

from bot.rules.roles import COMMANDS
from bot.texts import CATALOG, Raw, placeholders, t


def test_every_text_exists_in_both_languages_with_the_same_parameters():
    for key, (zh, en) in CATALOG.items():
        assert zh.strip() and en.strip(), key
        assert placeholders(zh) == placeholders(en), key


def test_every_command_has_a_description_for_help_and_the_menu():
    for command in COMMANDS:
        assert f"cmd.{command.name}" in CATALOG


def test_parameters_are_html_escaped_unless_raw():
    hostile = '<b>x</b> & "y"'
    assert "&lt;b&gt;x&lt;/b&gt; &amp;" in t("zh", "dept.unknown", name=hostile)
    assert "<i>ok</i>" in t("en", "liaisons.row", department="d", people=Raw("<i>ok</i>"))


def test_english_and_chinese_differ():
    assert t("en", "lang.set") != t("zh", "lang.set")
