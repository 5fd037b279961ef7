"""A Piper voice with its phoneme lengths as a second output, patched in the model's bytes.

Piper's own patch (``piper.patch_voice_with_alignment``) marks the ``Ceil`` of the
predicted durations as a graph output; it needs the ``onnx`` package (31 MB installed,
with ml_dtypes) only to read and write the model. The same edit is made here on the
protobuf wire format, which is stable and simple: find the one ``Ceil`` node's output
in the graph and append an output that names it (a repeated field may be appended at
the end of its message). The tests check the result against Piper's own patch, read
with ``onnx``.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator

_MODEL_GRAPH = 7
"""``ModelProto.graph``."""
_GRAPH_NODE, _GRAPH_OUTPUT = 1, 12
"""``GraphProto.node`` and ``GraphProto.output``."""
_NODE_OUTPUT, _NODE_OP_TYPE = 2, 4
"""``NodeProto.output`` and ``NodeProto.op_type``."""
_VALUE_NAME = 1
"""``ValueInfoProto.name``."""
_LENGTH_DELIMITED = 2


def with_alignment_output(model: bytes | mmap.mmap) -> bytes | None:
    """``model`` (an ONNX ``ModelProto``) with its ``Ceil`` tensor as a graph output too;
    None when it is one already, ``ValueError`` for a model without exactly one. The
    model (mostly weights: 63 MB) is read in place, a mapped file as well as bytes, and
    copied once."""
    _, start, end = _graph(model)
    ceil: set[bytes] = set()
    for number, kind, _, a, b in _fields(model, start, end):
        if kind == _LENGTH_DELIMITED and number == _GRAPH_NODE:
            node = list(_fields(model, a, b))
            if any(n == _NODE_OP_TYPE and model[x:y] == b"Ceil" for n, _, _, x, y in node):
                ceil.update(model[x:y] for n, _, _, x, y in node if n == _NODE_OUTPUT)
    if len(ceil) != 1:
        raise ValueError(f"the model has {len(ceil)} Ceil tensors, not one")
    return with_output(model, ceil.pop())


def with_output(model: bytes | mmap.mmap, name: bytes) -> bytes | None:
    """``model`` with the tensor ``name`` (made by one of its nodes) as a graph output
    too; None when it is one already, ``ValueError`` when no node makes it (hibari's
    phoneme lengths, ``/Clip_output_0``, the same way as Piper's above)."""
    field_start, start, end = _graph(model)
    made: set[bytes] = set()
    outputs: set[bytes] = set()
    for number, kind, _, a, b in _fields(model, start, end):
        if kind != _LENGTH_DELIMITED:
            continue
        if number == _GRAPH_NODE:
            made.update(model[x:y] for n, _, _, x, y in _fields(model, a, b) if n == _NODE_OUTPUT)
        elif number == _GRAPH_OUTPUT:
            outputs.update(model[x:y] for n, _, _, x, y in _fields(model, a, b) if n == _VALUE_NAME)
    if name not in made:
        raise ValueError(f"no node of the model makes {name.decode(errors='replace')}")
    if name in outputs:
        return None
    output = _field(_GRAPH_OUTPUT, _field(_VALUE_NAME, name))
    header = _key(_MODEL_GRAPH) + _encode_varint(end - start + len(output))
    with memoryview(model) as view:
        return b"".join((view[:field_start], header, view[start:end], output, view[end:]))


def _graph(model: bytes | mmap.mmap) -> tuple[int, int, int]:
    """Where the model's one graph field starts, and where its value starts and ends."""
    graphs = [f for f in _fields(model, 0, len(model)) if f[0] == _MODEL_GRAPH]
    if len(graphs) != 1 or graphs[0][1] != _LENGTH_DELIMITED:
        raise ValueError("not an ONNX model with one graph")
    _, _, field_start, start, end = graphs[0]
    return field_start, start, end


def _fields(
    data: bytes | mmap.mmap, start: int, end: int
) -> Iterator[tuple[int, int, int, int, int]]:
    """Each field of the message in ``data[start:end]``: its number, wire type, where its
    tag starts, and where its value starts and ends."""
    pos = start
    while pos < end:
        field_start = pos
        key, pos = _varint(data, pos)
        number, kind = key >> 3, key & 7
        if kind == 0:
            _, value_end = _varint(data, pos)
        elif kind == 1:
            value_end = pos + 8
        elif kind == _LENGTH_DELIMITED:
            length, pos = _varint(data, pos)
            value_end = pos + length
        elif kind == 5:
            value_end = pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {kind}")
        if value_end > end:
            raise ValueError("truncated protobuf message")
        yield number, kind, field_start, pos, value_end
        pos = value_end


def _varint(data: bytes | mmap.mmap, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated protobuf varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _key(number: int) -> bytes:
    return _encode_varint(number << 3 | _LENGTH_DELIMITED)


def _field(number: int, value: bytes) -> bytes:
    return _key(number) + _encode_varint(len(value)) + value


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)
