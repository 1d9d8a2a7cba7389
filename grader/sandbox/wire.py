"""The only format in which values cross the sandbox boundary.

A message is JSON plus raw `.npy` blobs: JSON for Python scalars, strings and containers,
`.npy` (written and read with allow_pickle=False) for arrays and for NumPy scalars, which
arrive as NumPy scalars of the same dtype (a 0-d array arrives as a scalar too). Every JSON object in the tree is a
tag (`{"nd": i}` for the i-th array, `{"tuple": [...]}`, ...), so a learner's dict can
never pose as one. Decoding checks types and sizes and refuses anything else: nothing from
the sandbox is unpickled or evaluated.

This module is imported both by the trusted side and inside the sandbox, so it depends on
the standard library and NumPy only.
"""

from __future__ import annotations

import io
import json
import math
import struct

import numpy as np

ALLOWED_DTYPE_KINDS = "biufc"  # bool, int, uint, float, complex
MAX_DEPTH = 32


class WireError(ValueError):
    """A value that may not cross the boundary, or a malformed message."""


def _encode(value, blobs: list[bytes], depth: int):
    if depth > MAX_DEPTH:
        raise WireError("the value is nested too deeply")
    # bool before int: bool is a subclass of int.
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else {"bigint": str(value)}
    if isinstance(value, float):
        # float(): np.float64 is a float too, and NumPy 2 spells its repr "np.float64(inf)".
        return value if math.isfinite(value) else {"float": repr(float(value))}
    if isinstance(value, complex):
        return {"complex": [_encode(value.real, blobs, depth), _encode(value.imag, blobs, depth)]}
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        # A NumPy scalar, or a 0-d array, travels as a 0-d array and arrives as a scalar of the
        # same dtype: `(x > 0).sum()` is an int64, `np.all(...)` a bool_, and neither is (1,).
        if value.dtype.kind not in ALLOWED_DTYPE_KINDS:
            return _refuse(value)
        return {"scalar": _blob(np.asarray(value), blobs)}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in ALLOWED_DTYPE_KINDS:
            raise WireError(f"an array of dtype {value.dtype} cannot be compared (use numbers)")
        return {"nd": _blob(np.ascontiguousarray(value), blobs)}
    if isinstance(value, list):
        return [_encode(item, blobs, depth + 1) for item in value]
    if isinstance(value, tuple):
        return {"tuple": [_encode(item, blobs, depth + 1) for item in value]}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise WireError("dictionary keys must be strings")
        return {"dict": [[key, _encode(item, blobs, depth + 1)] for key, item in value.items()]}
    return _refuse(value)


def _blob(array: np.ndarray, blobs: list[bytes]) -> int:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    blobs.append(buffer.getvalue())
    return len(blobs) - 1


def _refuse(value):
    raise WireError(f"a value of type {type(value).__name__} cannot be returned or compared")


def dumps(value) -> bytes:
    """Serialise a value: 4-byte JSON length, JSON, then each blob with an 8-byte length."""
    blobs: list[bytes] = []
    tree = _encode(value, blobs, 0)
    head = json.dumps(tree, allow_nan=False, separators=(",", ":")).encode()
    parts = [struct.pack("<I", len(head)), head, struct.pack("<I", len(blobs))]
    for blob in blobs:
        parts += [struct.pack("<Q", len(blob)), blob]
    return b"".join(parts)


def loads(data: bytes, *, max_bytes: int = 256 * 1024 * 1024):
    """Parse a message from `dumps`, validating every piece before trusting it."""
    if len(data) > max_bytes:
        raise WireError("the message is too large")
    view = memoryview(data)
    try:
        (head_len,) = struct.unpack_from("<I", view, 0)
        offset = 4 + head_len
        tree = json.loads(bytes(view[4:offset]))
        (count,) = struct.unpack_from("<I", view, offset)
        offset += 4
        arrays = []
        for _ in range(count):
            (size,) = struct.unpack_from("<Q", view, offset)
            offset += 8
            blob = bytes(view[offset : offset + size])
            if len(blob) != size:
                raise WireError("truncated array")
            offset += size
            array = np.load(io.BytesIO(blob), allow_pickle=False)
            if array.dtype.kind not in ALLOWED_DTYPE_KINDS:
                raise WireError(f"an array of dtype {array.dtype} is not allowed")
            arrays.append(array)
    except (struct.error, json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        raise WireError(f"malformed message: {exc}") from None
    except ValueError as exc:  # np.load refusing a pickled or broken array
        raise WireError(f"malformed array: {exc}") from None
    if offset != len(data):
        raise WireError("trailing bytes after the message")
    return _decode(tree, arrays, 0)


def _decode(tree, arrays: list, depth: int):
    if depth > MAX_DEPTH:
        raise WireError("the value is nested too deeply")
    if tree is None or isinstance(tree, bool | int | float | str):
        return tree
    if isinstance(tree, list):
        return [_decode(item, arrays, depth + 1) for item in tree]
    if isinstance(tree, dict) and len(tree) == 1:
        ((tag, body),) = tree.items()
        if tag == "nd" and isinstance(body, int) and 0 <= body < len(arrays) and arrays[body].ndim > 0:
            return arrays[body]
        if tag == "scalar" and isinstance(body, int) and 0 <= body < len(arrays) and arrays[body].ndim == 0:
            return arrays[body][()]
        if tag == "tuple" and isinstance(body, list):
            return tuple(_decode(item, arrays, depth + 1) for item in body)
        if tag == "dict" and isinstance(body, list):
            result = {}
            for pair in body:
                if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                    raise WireError("malformed dictionary")
                result[pair[0]] = _decode(pair[1], arrays, depth + 1)
            return result
        if tag == "float" and body in {"nan", "inf", "-inf"}:
            return float(body)
        if tag == "bigint" and isinstance(body, str) and len(body) <= 4000:
            try:
                return int(body)
            except ValueError:
                pass
        if tag == "complex" and isinstance(body, list) and len(body) == 2:
            real, imag = (_decode(part, arrays, depth + 1) for part in body)
            if isinstance(real, float | int) and isinstance(imag, float | int):
                return complex(real, imag)
    raise WireError("malformed value in message")
