"""bot.qr: the bulk QR symbols equal segno's own, and the PNGs are well-formed images of them."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import segno

from bot import qr

PREFIX = "https://t.me/placement_demo_bot?start="
TOKENS = [
    "H6nUUJSG1NYQ0Hj7xc7FydGKxNRB_qNh",
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "0-_0-_0-_0-_0-_0-_0-_0-_0-_0-_01",
]


def segno_modules(link: str) -> np.ndarray:
    symbol = segno.make(
        link.encode(), error=qr.ERROR, mask=qr.MASK, mode="byte", micro=False, boost_error=False
    )
    return np.array([list(row) for row in symbol.matrix], dtype=np.uint8)


def test_bulk_symbols_equal_segno() -> None:
    for token, modules in zip(TOKENS, qr.symbols(PREFIX, TOKENS), strict=True):
        assert (modules == segno_modules(PREFIX + token)).all()


@pytest.mark.parametrize(("scale", "border"), [(2, 1), (4, 2), (4, 1), (3, 2)])
def test_png_pixels_are_the_modules(scale: int, border: int) -> None:
    modules = qr.symbols(PREFIX, TOKENS[:1])[0]
    picture = qr.png(modules, scale=scale, border=border)
    assert picture.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(picture[16:20], "big")
    assert width == (modules.shape[0] + 2 * border) * scale
    start = picture.index(b"IDAT") + 4
    length = int.from_bytes(picture[start - 8 : start - 4], "big")
    raw = zlib.decompress(picture[start : start + length])
    stride = 1 + -(-width // 8)
    rows = [
        np.unpackbits(np.frombuffer(raw[i * stride + 1 : (i + 1) * stride], dtype=np.uint8))[:width]
        for i in range(width)
    ]
    image = np.array(rows)
    corner, n = border * scale, modules.shape[0]
    for offset in (0, scale - 1):  # the first and last pixel of every module's block
        block = image[corner + offset :: scale, corner + offset :: scale][:n, :n]
        assert (block == 1 - modules).all()  # dark module = black pixel
    assert image[0].all() and image[:, 0].all()  # the light border


def test_tokens_of_other_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        qr.symbols(PREFIX, ["abc", "abcd"])
