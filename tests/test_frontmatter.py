"""Reading a content file: decoding and splitting the front matter from the body."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okrpub.diagnostics import Diagnostics
from okrpub.source.frontmatter import MAX_FILE_BYTES, SplitFile, decode, split_front_matter


def texts(diagnostics: Diagnostics) -> list[str]:
    return [d.as_text() for d in diagnostics]


def test_decode_plain_utf8() -> None:
    diagnostics = Diagnostics()
    assert decode("título: €\n".encode(), "a.md", diagnostics) == "título: €\n"
    assert not diagnostics


def test_decode_strips_a_byte_order_mark() -> None:
    assert decode(b"\xef\xbb\xbf---\n", "a.md", Diagnostics()) == "---\n"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a\r\nb\r\n", "a\nb\n"),
        (b"a\rb\r", "a\nb\n"),
        (b"a\r\nb\nc\r", "a\nb\nc\n"),
    ],
)
def test_decode_normalises_line_endings(raw: bytes, expected: str) -> None:
    assert decode(raw, "a.md", Diagnostics()) == expected


def test_decode_reports_the_line_of_the_first_bad_byte() -> None:
    diagnostics = Diagnostics()
    assert decode(b"---\ntitle: caf\xe9\n---\n", "a.md", diagnostics) is None
    assert texts(diagnostics) == [
        "a.md:2:1: error: file is not UTF-8 (byte 0xe9 at offset 14); save it as UTF-8 [encoding]"
    ]


def test_decode_refuses_huge_files() -> None:
    diagnostics = Diagnostics()
    assert decode(b"x" * (MAX_FILE_BYTES + 1), "big.md", diagnostics) is None
    assert texts(diagnostics) == [
        "big.md:1:1: error: file is 1,000,001 bytes; the limit is 1,000,000 [file-size]"
    ]


def test_split_gives_front_matter_and_body() -> None:
    diagnostics = Diagnostics()
    split = split_front_matter(
        "---\ntitle: T\nowner: x\n---\n# Body\n\ntext\n", "a.md", diagnostics
    )
    assert split == SplitFile("title: T\nowner: x\n", "# Body\n\ntext\n")
    assert not diagnostics


def test_split_accepts_dots_as_closing_fence_and_trailing_spaces() -> None:
    split = split_front_matter("---  \ntitle: T\n...\nbody", "a.md", Diagnostics())
    assert split == SplitFile("title: T\n", "body")


def test_split_with_empty_front_matter_and_no_body() -> None:
    assert split_front_matter("---\n---\n", "a.md", Diagnostics()) == SplitFile("\n", "")


def test_split_only_the_first_closing_fence_counts() -> None:
    split = split_front_matter("---\na: 1\n---\nbody\n---\nmore\n", "a.md", Diagnostics())
    assert split == SplitFile("a: 1\n", "body\n---\nmore\n")


def test_split_of_crlf_file_after_decoding() -> None:
    text = decode(b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\nbody\r\n", "a.md", Diagnostics())
    assert text is not None
    assert split_front_matter(text, "a.md", Diagnostics()) == SplitFile("title: T\n", "body\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "file is empty; it needs YAML front matter"),
        ("  \n\n", "file is empty; it needs YAML front matter"),
        (
            "# Title\n---\na: 1\n---\n",
            "file has no front matter: its first line must be '---', "
            "followed by YAML and a closing '---'",
        ),
        ("---\ntitle: T\nbody\n", "front matter is not closed: add a line '---' after the YAML"),
    ],
)
def test_split_reports_what_is_missing(text: str, message: str) -> None:
    diagnostics = Diagnostics()
    assert split_front_matter(text, "a.md", diagnostics) is None
    assert texts(diagnostics) == [f"a.md:1:1: error: {message} [front-matter]"]


#: Lines that are, or nearly are, fences, with white space YAML and Python both know.
_LINES = st.lists(
    st.sampled_from(["---", "...", "--- ", "...\t", "---\x0c", "-- -", "....", "a: 1", "", " "]),
    max_size=8,
)


@given(_LINES, _LINES)
def test_split_closes_at_the_first_fence_line_after_the_first(
    inside: list[str], after: list[str]
) -> None:
    """Front matter runs to the first later line that is ``---`` or ``...`` and white space."""
    text = "\n".join(["---", *inside, *after])
    lines = text.split("\n")
    closer = next((n for n in range(1, len(lines)) if lines[n].rstrip() in ("---", "...")), None)
    diagnostics = Diagnostics()
    split = split_front_matter(text, "a.md", diagnostics)
    if closer is None:
        assert split is None
        assert texts(diagnostics) == [
            "a.md:1:1: error: front matter is not closed: add a line '---' after the YAML "
            "[front-matter]"
        ]
    else:
        front = "\n".join(lines[1:closer]) + "\n"
        assert split == SplitFile(front, "\n".join(lines[closer + 1 :]))
