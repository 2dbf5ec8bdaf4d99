"""QR codes for graduates' printed slips (§10): thousands of links of one shape, fast.

A QR symbol of a fixed version, error-correction level and mask is an affine function of its data
bits over GF(2) (Reed–Solomon is linear, and placement and masking only move and flip bits). Links
that share a prefix and a token length therefore differ from one base link's symbol by the sum of
the changes each differing bit makes. `segno` encodes the base link and one link per bit once (per
prefix and length, cached); every link after that is a row of one matrix product, and its PNG a few
numpy passes and one zlib call. The symbols equal segno's own for the same mask (tests check).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import segno

ERROR = "m"  # 15 % of the symbol may be lost (a creased or smudged slip)
MASK = 0  # any mask decodes; a fixed one keeps the symbol affine in the data bits
BATCH = 512  # links per matrix product


@dataclass(frozen=True)
class _Affine:
    version: int
    size: int  # modules per side
    base: np.ndarray  # (size*size,) the base link's modules, 1 = dark
    base_bits: np.ndarray  # (8*length,) the base token's bits
    basis: np.ndarray  # (8*length, size*size) float32: the modules each token bit flips


def _modules(data: bytes, version: int | None) -> tuple[int, np.ndarray]:
    symbol = segno.make(
        data, error=ERROR, mask=MASK, version=version, mode="byte", micro=False, boost_error=False
    )
    return int(symbol.version), np.array([list(row) for row in symbol.matrix], dtype=np.uint8)


def symbol(link: str) -> np.ndarray:
    """The (size, size) modules of one link as segno makes it, 1 = dark (for tests and one-offs)."""
    return _modules(link.encode(), None)[1]


@lru_cache(maxsize=8)
def _affine(prefix: bytes, length: int) -> _Affine:
    base_token = b"A" * length
    version, base = _modules(prefix + base_token, None)
    flat = base.reshape(-1)
    rows = []
    for i in range(length):
        for bit in range(8):
            changed = bytearray(base_token)
            changed[i] ^= 0x80 >> bit  # numpy's unpackbits order: most significant bit first
            rows.append(_modules(prefix + bytes(changed), version)[1].reshape(-1) ^ flat)
    base_bits = np.unpackbits(np.frombuffer(base_token, dtype=np.uint8))
    return _Affine(version, base.shape[0], flat, base_bits, np.array(rows, dtype=np.float32))


def symbols(prefix: str, tokens: Sequence[str]) -> list[np.ndarray]:
    """The modules of `prefix + token` for each token (all tokens of one length, ASCII)."""
    if not tokens:
        return []
    length = len(tokens[0])
    if any(len(token) != length or not token.isascii() for token in tokens):
        raise ValueError("tokens of one length, ASCII only")
    model = _affine(prefix.encode(), length)
    out: list[np.ndarray] = []
    for start in range(0, len(tokens), BATCH):
        chunk = tokens[start : start + BATCH]
        raw = np.frombuffer("".join(chunk).encode(), dtype=np.uint8).reshape(len(chunk), length)
        bits = np.unpackbits(raw, axis=1) ^ model.base_bits
        flips = (bits.astype(np.float32) @ model.basis).astype(np.int32) & 1
        modules = flips.astype(np.uint8) ^ model.base
        out.extend(row.reshape(model.size, model.size) for row in modules)
    return out


_NIBBLES = np.array([[0x00, 0x0F], [0xF0, 0xFF]], dtype=np.uint8)  # two light-flags → one byte at 4 px/module


def pngs(symbols_: Sequence[np.ndarray], *, scale: int = 4, border: int = 2) -> list[bytes]:
    """1-bit greyscale PNGs of symbols of one size: `scale` pixels per module, a light `border`."""
    out: list[bytes] = []
    for start in range(0, len(symbols_), BATCH):
        out.extend(_pngs(np.stack(symbols_[start : start + BATCH]), scale, border))
    return out


def _pngs(stack: np.ndarray, scale: int, border: int) -> list[bytes]:
    light = np.pad(1 - stack, ((0, 0), (border, border), (border, border)), constant_values=1).astype(
        np.uint8
    )
    count, modules, _ = light.shape
    width = height = modules * scale
    if scale == 4:  # two modules per byte: a table lookup instead of widening every pixel
        if modules % 2:
            light = np.pad(light, ((0, 0), (0, 0), (0, 1)))
        rows = _NIBBLES[light[:, :, 0::2], light[:, :, 1::2]]
    else:
        rows = np.packbits(np.repeat(light, scale, axis=2), axis=2)
    rows = np.repeat(rows, scale, axis=1)
    raw = np.concatenate(
        [np.zeros((count, height, 1), dtype=np.uint8), rows], axis=2
    )  # filter byte 0 per row
    head = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    tail = _chunk(b"IEND", b"")
    return [head + _chunk(b"IDAT", zlib.compress(image.tobytes(), 1)) + tail for image in raw]


def png(modules: np.ndarray, *, scale: int = 4, border: int = 2) -> bytes:
    return pngs([modules], scale=scale, border=border)[0]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )
