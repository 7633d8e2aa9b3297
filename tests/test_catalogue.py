"""The English catalogue is complete: no string lands untranslated or fuzzy, and no translation
drops or invents a placeholder (a lost ``%(name)s`` shows raw text or raises KeyError at run time;
msgfmt --check-format only sees entries flagged python-format, so blocktranslate HTML and
``{}`` strings are checked here too). The committed .mo must match the .po, since the server
reads only the .mo."""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES"
CATALOGUES = sorted(LOCALE.glob("*.po"))

# %(name)s / %s / %d (python-format, blocktranslate variables), {} / {name} (str.format),
# and HTML tags. %% is a literal percent sign and is removed before matching.
_PLACEHOLDER = r"%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[sdifrx]|%[sdifr]|\{[\w.]*\}|</?[a-zA-Z][^>]*>"


def placeholders(text):
    return Counter(re.findall(_PLACEHOLDER, text.replace("%%", "")))


def pairs(entry):
    """(source, translation) pairs of an entry; a plural entry gives one per form."""
    if entry.msgid_plural:
        forms = entry.msgstr_plural
        return [(entry.msgid, forms.get(0, "")), (entry.msgid_plural, forms.get(1, ""))]
    return [(entry.msgid, entry.msgstr)]


def problems(po):
    """Human-readable list of what is wrong with a parsed catalogue (empty when it is complete)."""
    found = []
    for entry in po:
        if entry.obsolete:
            continue
        where = entry.occurrences[0][0] if entry.occurrences else "?"
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {entry.msgid!r} ({where})")
        elif not entry.translated():
            found.append(f"untranslated: {entry.msgid!r} ({where})")
            continue
        for source, translation in pairs(entry):
            if placeholders(source) != placeholders(translation):
                found.append(f"placeholders differ: {source!r} -> {translation!r} ({where})")
    return found


def test_english_catalogue_exists():
    assert LOCALE.joinpath("django.po") in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_every_entry_is_translated_with_the_same_placeholders(path):
    po = polib.pofile(str(path))
    found = problems(po)
    if po.metadata_is_fuzzy:
        found.insert(0, "fuzzy header: msgfmt drops it, and its Plural-Forms with it")
    assert not found, f"{len(found)} problems in {path.name}:\n" + "\n".join(found[:50])


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_compiled_catalogue_matches(path):
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"run compilemessages: {mo_path.name} is missing"
    compiled = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(mo_path))}
    stale = []
    for entry in polib.pofile(str(path)).translated_entries():
        done = compiled.get((entry.msgctxt, entry.msgid))
        if done is None or (done.msgstr_plural or done.msgstr) != (entry.msgstr_plural or entry.msgstr):
            stale.append(entry.msgid)
    assert not stale, f"{mo_path.name} is stale, run compilemessages ({len(stale)}): {stale[:10]}"


BROKEN = """
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "新字符串"
msgstr ""

#, fuzzy
msgid "旧字符串"
msgstr "Old guess"

msgid "%(name)s 已加入"
msgstr "Joined"

msgid "<b>%(n)s</b> 个"
msgid_plural "<b>%(n)s</b> 个"
msgstr[0] "one"
msgstr[1] "<b>%(n)s</b> items"

msgid "完成率（%%）"
msgstr "Done (%%)"

#~ msgid "作废"
#~ msgstr ""
"""


def test_the_checks_catch_each_kind_of_gap():
    """Negative control: the same checks flag a catalogue with every kind of gap."""
    found = problems(polib.pofile(BROKEN))
    kinds = sorted(line.split(":")[0] for line in found)
    assert kinds == ["fuzzy", "placeholders differ", "placeholders differ", "untranslated"], found
    assert not any("作废" in line or "完成率" in line for line in found)
