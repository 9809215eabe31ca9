"""The book's Chinese font: a subset of Noto Sans CJK SC that ships with the book.

A reader's machine may have no Chinese font at all, and then every Chinese title, term and
column name of the book would show as empty boxes. The book therefore ships its own font: the
characters it uses, cut out of Noto Sans CJK SC (Adobe and Google, SIL Open Font License 1.1)
with fontTools, in two files made from the same cut:

* :data:`WEB_FONT`, a WOFF2 file that the book's stylesheet (``book/_static/book.css``)
  declares with ``@font-face`` for the CJK code points only (``unicode-range``), so the pages'
  Latin text keeps the theme's fonts;
* :data:`FIGURE_FONT`, an OpenType (CFF) file that :mod:`helpers.style` registers with
  matplotlib, so figures draw Chinese labels without any system font.

The subset is renamed :data:`FAMILY` (the OFL asks a modified font not to pass for the
original) and carries the licence in ``OFL.txt`` beside each file.

Which characters: :func:`book_characters` collects every CJK character of the book's sources
(notebooks, pages, contracts, published tables, helpers, parameters) and, when the book has
been built, of its executed pages. ``python -m helpers.fonts`` cuts a new subset from the
Debian package ``fonts-noto-cjk`` (or ``--source FILE``); ``tests/test_fonts.py`` fails when
the book uses a character the shipped subset lacks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from helpers.errors import InputError
from helpers.paths import BOOK_DIR, DATA_DIR, REPO_ROOT

FAMILY = "Book Sans CJK SC"
POSTSCRIPT_NAME = "BookSansCJKSC-Regular"
SOURCE_FAMILY = "Noto Sans CJK SC"
STEM = "BookSansCJKSC-subset"
WEB_FONT = BOOK_DIR / "_static" / "fonts" / f"{STEM}.woff2"
FIGURE_FONT = DATA_DIR / "fonts" / f"{STEM}.otf"
LICENCE_FILE = "OFL.txt"

# The blocks that Chinese text draws on, as (first, last) code points: CJK radicals, CJK
# symbols and punctuation, extension A, the unified ideographs, compatibility ideographs and
# the full-width forms (，：（）). The stylesheet's unicode-range lists the same blocks.
CJK_BLOCKS: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x2FDF),
    (0x3000, 0x303F),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
)

# Files whose text reaches a page or a figure, relative to the repository root.
SOURCE_GLOBS = (
    "notebooks/*.ipynb",
    "book/**/*.md",
    "book/**/*.bib",
    "data/contracts/*.yml",
    "data/published/*",
    "data/simulation/*.csv",
    "src/helpers/**/*.py",
    "params/**/*.yml",
    "_toc.yml",
    "_config.yml",
    "CHANGELOG.md",
)
# The executed pages and the files they wrote, present once the book has been built.
GENERATED_GLOBS = ("book/_generated/**/*.ipynb", "book/_generated/**/*.csv")
# Where Debian's fonts-noto-cjk puts the collection that holds Noto Sans CJK SC.
DEBIAN_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def is_cjk(char: str) -> bool:
    """True for a character in one of :data:`CJK_BLOCKS`."""
    code = ord(char)
    return any(first <= code <= last for first, last in CJK_BLOCKS)


def cjk_characters(text: str) -> set[str]:
    """The distinct CJK characters of ``text`` (the ideographic space U+3000 excluded)."""
    return {ch for ch in text if is_cjk(ch) and ch != "\u3000"}


def _files(root: Path, globs: Iterable[str]) -> list[Path]:
    found = {p for pattern in globs for p in root.glob(pattern) if p.is_file()}
    return sorted(found)


def book_characters(root: Path = REPO_ROOT, *, generated: bool = True) -> dict[str, list[Path]]:
    """Every CJK character the book uses -> the files it appears in (sorted by character).

    Reads the files of :data:`SOURCE_GLOBS` under ``root`` and, with ``generated``, the
    executed pages of :data:`GENERATED_GLOBS` if the book has been built there. Files that are
    not UTF-8 text (a binary file in ``data/published``, say) are skipped.
    """
    globs = SOURCE_GLOBS + (GENERATED_GLOBS if generated else ())
    where: dict[str, list[Path]] = {}
    for path in _files(Path(root), globs):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for char in cjk_characters(text):
            where.setdefault(char, []).append(path)
    return dict(sorted(where.items()))


def font_characters(path: Path) -> set[str]:
    """The characters a font file maps to a glyph (its best Unicode cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return {chr(code) for code in font.getBestCmap()}


def missing_characters(needed: Iterable[str], path: Path) -> list[str]:
    """Characters of ``needed`` that the font at ``path`` has no glyph for, sorted."""
    return sorted(set(needed) - font_characters(path))


def find_source() -> tuple[Path, int]:
    """The Noto Sans CJK SC face to cut from: (collection or font file, face index).

    Looks at Debian's ``fonts-noto-cjk`` location first, then at every collection matplotlib
    finds on the system. :class:`InputError` when none holds the face.
    """
    from matplotlib import font_manager

    candidates = [DEBIAN_SOURCE] + [
        Path(p) for p in font_manager.findSystemFonts(fontext="ttc") if "NotoSansCJK" in p
    ]
    for path in dict.fromkeys(candidates):
        if path.is_file() and "Regular" in path.name:
            index = _face_index(path, SOURCE_FAMILY)
            if index is not None:
                return path, index
    raise InputError(
        f"no {SOURCE_FAMILY} font found: install Debian's fonts-noto-cjk or pass --source FILE",
        parameter="source",
    )


def _face_index(path: Path, family: str) -> int | None:
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in {".ttc", ".otc"}:
        faces = TTCollection(path, lazy=True).fonts
    else:
        faces = [TTFont(path, lazy=True)]
    for index, face in enumerate(faces):
        if face["name"].getDebugName(1) == family:
            return index
    return None


def _rename(font) -> None:
    """Give the cut its own names in the name table and the CFF table (OFL, condition 3)."""
    names = {
        1: FAMILY,
        2: "Regular",
        3: f"{POSTSCRIPT_NAME};subset of {SOURCE_FAMILY} for the replication book",
        4: FAMILY,
        6: POSTSCRIPT_NAME,
    }
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in {16, 17, 18, 21, 22}]
    for record in table.names:
        if record.nameID in names:
            record.string = names[record.nameID]
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [POSTSCRIPT_NAME]
        top = cff.topDictIndex[0]
        top.FullName = FAMILY
        top.FamilyName = FAMILY


def make_subset(
    characters: Iterable[str],
    source: Path,
    face: int = 0,
    *,
    figure_font: Path = FIGURE_FONT,
    web_font: Path = WEB_FONT,
) -> tuple[Path, Path]:
    """Cut ``characters`` out of face ``face`` of ``source``; write the OTF and WOFF2 files.

    Keeps every OpenType layout feature and the glyph outlines' hints, drops nothing else the
    characters need; the files do not record the time they were made, so the same characters
    and source give byte-identical files. Writes the licence beside each file. Returns
    ``(figure_font, web_font)``.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = sorted(set(characters))
    if not chars:
        raise InputError("no characters to keep", parameter="characters")
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = TTFont(source, fontNumber=face, recalcTimestamp=False, lazy=False)
    copyright_notice = font["name"].getDebugName(0) or ""
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    _rename(font)
    written = []
    for path, flavor in ((figure_font, None), (web_font, "woff2")):
        path.parent.mkdir(parents=True, exist_ok=True)
        font.flavor = flavor
        font.save(path, reorderTables=True)
        (path.parent / LICENCE_FILE).write_text(licence_text(copyright_notice), encoding="utf-8")
        written.append(path)
    return written[0], written[1]


def licence_text(copyright_notice: str) -> str:
    """``OFL.txt``: what the files are, the source's copyright notice and the licence."""
    return (
        f"{STEM}.otf and {STEM}.woff2 ({FAMILY}) are subsets of {SOURCE_FAMILY}\n"
        "(Noto CJK, https://github.com/notofonts/noto-cjk), cut with fontTools to the characters\n"
        "this book uses by `python -m helpers.fonts`, and renamed as the licence asks of a\n"
        "Modified Version.\n\n"
        f"Original copyright: {copyright_notice}\n\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is available with a FAQ at: https://openfontlicense.org\n\n" + _OFL
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.fonts``: cut the book's font subset again."""
    parser = argparse.ArgumentParser(prog="python -m helpers.fonts", description=__doc__)
    parser.add_argument("--source", type=Path, help="font or collection holding the source face")
    parser.add_argument("--check", action="store_true", help="only list missing characters")
    args = parser.parse_args(argv)
    needed = book_characters()
    if args.check:
        missing = missing_characters(needed, FIGURE_FONT)
        for char in missing:
            files = ", ".join(str(p.relative_to(REPO_ROOT)) for p in needed[char][:3])
            print(f"{char} U+{ord(char):04X} in {files}")
        print(f"{len(needed)} characters used, {len(missing)} missing from {FIGURE_FONT.name}")
        return 1 if missing else 0
    source, face = (
        (args.source, _face_index(args.source, SOURCE_FAMILY) or 0)
        if args.source
        else (find_source())
    )
    otf, woff2 = make_subset(needed, source, face)
    for path in (otf, woff2):
        print(
            f"{path.relative_to(REPO_ROOT)}: {len(needed)} characters, {path.stat().st_size} bytes"
        )
    return 0


_OFL = """-----------------------------------------------------------
SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007
-----------------------------------------------------------

PREAMBLE
The goals of the Open Font License (OFL) are to stimulate worldwide
development of collaborative font projects, to support the font creation
efforts of academic and linguistic communities, and to provide a free and
open framework in which fonts may be shared and improved in partnership
with others.

The OFL allows the licensed fonts to be used, studied, modified and
redistributed freely as long as they are not sold by themselves. The
fonts, including any derivative works, can be bundled, embedded,
redistributed and/or sold with any software provided that any reserved
names are not used by derivative works. The fonts and derivatives,
however, cannot be released under any other type of license. The
requirement for fonts to remain under this license does not apply
to any document created using the fonts or their derivatives.

DEFINITIONS
"Font Software" refers to the set of files released by the Copyright
Holder(s) under this license and clearly marked as such. This may
include source files, build scripts and documentation.

"Reserved Font Name" refers to any names specified as such after the
copyright statement(s).

"Original Version" refers to the collection of Font Software components as
distributed by the Copyright Holder(s).

"Modified Version" refers to any derivative made by adding to, deleting,
or substituting -- in part or in whole -- any of the components of the
Original Version, by changing formats or by porting the Font Software to a
new environment.

"Author" refers to any designer, engineer, programmer, technical
writer or other person who contributed to the Font Software.

PERMISSION & CONDITIONS
Permission is hereby granted, free of charge, to any person obtaining
a copy of the Font Software, to use, study, copy, merge, embed, modify,
redistribute, and sell modified and unmodified copies of the Font
Software, subject to the following conditions:

1) Neither the Font Software nor any of its individual components,
in Original or Modified Versions, may be sold by itself.

2) Original or Modified Versions of the Font Software may be bundled,
redistributed and/or sold with any software, provided that each copy
contains the above copyright notice and this license. These can be
included either as stand-alone text files, human-readable headers or
in the appropriate machine-readable metadata fields within text or
binary files as long as those fields can be easily viewed by the user.

3) No Modified Version of the Font Software may use the Reserved Font
Name(s) unless explicit written permission is granted by the corresponding
Copyright Holder. This restriction only applies to the primary font name as
presented to the users.

4) The name(s) of the Copyright Holder(s) or the Author(s) of the Font
Software shall not be used to promote, endorse or advertise any
Modified Version, except to acknowledge the contribution(s) of the
Copyright Holder(s) and the Author(s) or with their explicit written
permission.

5) The Font Software, modified or unmodified, in part or in whole,
must be distributed entirely under this license, and must not be
distributed under any other license. The requirement for fonts to
remain under this license does not apply to any document created
using the Font Software.

TERMINATION
This license becomes null and void if any of the above conditions are
not met.

DISCLAIMER
THE FONT SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO ANY WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT
OF COPYRIGHT, PATENT, TRADEMARK, OR OTHER RIGHT. IN NO EVENT SHALL THE
COPYRIGHT HOLDER BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY,
INCLUDING ANY GENERAL, SPECIAL, INDIRECT, INCIDENTAL, OR CONSEQUENTIAL
DAMAGES, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
FROM, OUT OF THE USE OR INABILITY TO USE THE FONT SOFTWARE OR FROM
OTHER DEALINGS IN THE FONT SOFTWARE.
"""


if __name__ == "__main__":
    sys.exit(main())
