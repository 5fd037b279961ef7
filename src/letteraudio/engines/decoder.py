"""Piper's decoder run over windows of its latent frames, so that one call's memory does not
grow with what it speaks.

A Piper voice is one graph: the text encoder, duration predictor and flow turn phonemes
into latent frames (192 numbers per 256 samples of audio), and the decoder (HiFi-GAN,
its nodes named ``/dec/...``) turns the frames into samples. The decoder's layers hold
every sample of the call at once, at up to 32 channels each: about 0.85 KB per sample
of audio, 90 MB for a 100-character call, and that, not the encoder, is what made a long
text's peak grow. The decoder is convolutional, so each sample depends only on the
frames near it: a call over :data:`WINDOW_FRAMES` and its margins is decoded in windows of
at most :data:`WINDOW_FRAMES`, each with :data:`MARGIN_FRAMES` of neighbours on each side,
and cut at the windows' edges. That gives the same samples within one 16-bit step: bit
for bit on the footprint texts, the seed and a 600-character call from 20 frames of
margin; where the sums are ordered otherwise, a sample in about 300,000 moves by one step
(-90 dBFS). The test allows one in 10,000.

The graph is split in its protobuf bytes, as :mod:`letteraudio.engines.alignment`
patches it: the encoder part keeps every node but the decoder's and ends at the
decoder's inputs; the decoder part keeps the decoder's nodes and weights. A graph that
does not have this shape (another export) raises ``ValueError`` and is used whole.
"""

from __future__ import annotations

import itertools
import mmap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from letteraudio.engines.alignment import (
    _GRAPH_NODE,
    _GRAPH_OUTPUT,
    _LENGTH_DELIMITED,
    _MODEL_GRAPH,
    _NODE_OP_TYPE,
    _NODE_OUTPUT,
    _VALUE_NAME,
    _field,
    _fields,
    _graph,
)

if TYPE_CHECKING:
    import onnxruntime

WINDOW_FRAMES = 160
"""Latent frames decoded per call of the decoder, at most (1.9 s of speech at 22.05 kHz):
a call of up to this and its margins (208 frames) is decoded whole, a longer one in
windows of equal length. About what a short line's call holds, so no call of a long
text holds more."""
MARGIN_FRAMES = 24
"""Frames of context decoded on each side of a window and cut away: the decoder's reach.
On a 600-character call of the bundled voice, at 8 frames 11,097 samples moved, at 16 five
by one step, from 20 none; each window's margins cost their share of the decoder's time
(Piper's synthesis took 21 % more CPU with windows of 160 frames, 11 % with 256, which
peaked higher: README, Speed and memory)."""
DECODER_PREFIX = b"/dec/"

_NODE_INPUT, _NODE_NAME = 1, 3
_GRAPH_NAME, _GRAPH_INITIALIZER, _GRAPH_INPUT, _GRAPH_VALUE_INFO = 2, 5, 11, 13
_TENSOR_NAME = 8
_VALUE_TYPE = 2
_FLOAT_TENSOR = _field(1, b"\x08\x01")
"""``TypeProto`` of a float tensor of any shape (``tensor_type { elem_type: FLOAT }``)."""


@dataclass(frozen=True)
class SplitModel:
    """A voice's graph as two: what turns phonemes into latent frames, and the decoder."""

    encoder: bytes
    """The graph up to the decoder's inputs: its outputs are ``inputs`` in order, then the
    whole graph's other outputs (the phoneme lengths, when patched in)."""
    decoder: bytes
    inputs: tuple[str, ...]
    """The decoder's inputs; the first holds the latent frames (batch, channels, frames),
    any other is given whole to every window (a speaker's embedding), or cut as the frames
    are when it has as many along its last axis."""
    output: str
    """The decoder's output (batch, 1, samples)."""


def split_decoder(model: bytes | mmap.mmap) -> SplitModel:
    """``model`` (an ONNX ``ModelProto``) cut where its decoder begins; ``ValueError`` when
    it has no ``/dec/`` nodes fed from the rest through a first convolution, or more than
    a reshape between the decoder and the graph's audio output."""
    field_start, start, end = _graph(model)
    nodes: list[tuple[bytes, _Node]] = []
    fields: list[tuple[int, int, int]] = []  # (number, field start, field end) of the rest
    for number, kind, at, a, b in _fields(model, start, end):
        if kind == _LENGTH_DELIMITED and number == _GRAPH_NODE:
            nodes.append((bytes(model[at:b]), _node(model, a, b)))
        else:
            fields.append((number, at, b))
    decoder = [(raw, node) for raw, node in nodes if node.name.startswith(DECODER_PREFIX)]
    if not decoder:
        raise ValueError("the model has no decoder nodes")
    made = {name for _, node in decoder for name in node.outputs}
    weights = _initializer_names(model, fields)
    outside = [(raw, node) for raw, node in nodes if not node.name.startswith(DECODER_PREFIX)]
    feeding: list[bytes] = []
    for _, node in decoder:
        for name in node.inputs:
            if name and name not in made and name not in weights and name not in feeding:
                feeding.append(name)
    pre = [node for _, node in decoder if b"/conv_pre/" in node.name]
    if len(pre) != 1 or pre[0].op_type != b"Conv" or not pre[0].inputs:
        raise ValueError("the decoder does not begin with a convolution of the latent frames")
    latent = pre[0].inputs[0]
    if latent not in feeding:
        raise ValueError("the decoder's first convolution is not fed from the rest")
    feeding = [latent, *(name for name in feeding if name != latent)]
    after = [node for _, node in outside if any(i in made for i in node.inputs)]
    graph_outputs = _output_names(model, fields)
    if (
        len(after) != 1
        or after[0].op_type != b"Unsqueeze"
        or not graph_outputs
        or after[0].outputs != [graph_outputs[0]]
    ):
        raise ValueError("the decoder's samples are not the graph's first output")
    produced = next(i for i in after[0].inputs if i in made)
    rest = [(raw, node) for raw, node in outside if node is not after[0]]
    used_outside = {name for _, node in rest for name in node.inputs}
    used_inside = {name for _, node in decoder for name in node.inputs}

    encoder_graph: list[bytes] = [raw for raw, _ in rest]
    decoder_graph: list[bytes] = [raw for raw, _ in decoder]
    for number, a, b in fields:
        raw = bytes(model[a:b])
        if number == _GRAPH_INITIALIZER:
            name = _name_of(model, a, b, _TENSOR_NAME)
            if name in used_outside:
                encoder_graph.append(raw)
            if name in used_inside:
                decoder_graph.append(raw)
        elif number == _GRAPH_INPUT:  # weights listed as inputs go with their part
            name = _name_of(model, a, b, _VALUE_NAME)
            if name not in weights or name in used_outside:
                encoder_graph.append(raw)
            if name in weights and name in used_inside:
                decoder_graph.append(raw)
        elif number == _GRAPH_OUTPUT:
            if _name_of(model, a, b, _VALUE_NAME) != graph_outputs[0]:
                encoder_graph.append(raw)
        elif number == _GRAPH_VALUE_INFO:
            if _name_of(model, a, b, _VALUE_NAME) not in made:
                encoder_graph.append(raw)
        else:
            encoder_graph.append(raw)
            if number == _GRAPH_NAME:
                decoder_graph.append(raw)
    for name in reversed(feeding):  # the decoder's inputs come first, in order
        encoder_graph.insert(0, _field(_GRAPH_OUTPUT, _field(_VALUE_NAME, name)))
    for name in feeding:
        decoder_graph.append(_value_info(_GRAPH_INPUT, name))
    decoder_graph.append(_value_info(_GRAPH_OUTPUT, produced))
    with memoryview(model) as view:
        head, tail = bytes(view[:field_start]), bytes(view[end:])
    return SplitModel(
        encoder=head + _field(_MODEL_GRAPH, b"".join(encoder_graph)) + tail,
        decoder=head + _field(_MODEL_GRAPH, b"".join(decoder_graph)) + tail,
        inputs=tuple(name.decode() for name in feeding),
        output=produced.decode(),
    )


class WindowedSession:
    """Two onnxruntime sessions that answer ``run`` as the whole graph's session does (what
    ``PiperVoice`` calls): the encoder's call, then the decoder's over windows of frames."""

    def __init__(
        self,
        encoder: onnxruntime.InferenceSession,
        decoder: onnxruntime.InferenceSession,
        window: int = WINDOW_FRAMES,
        margin: int = MARGIN_FRAMES,
    ) -> None:
        self.encoder, self.decoder = encoder, decoder
        self.inputs = tuple(value.name for value in decoder.get_inputs())
        self.output = decoder.get_outputs()[0].name
        self.window, self.margin = window, margin

    def get_inputs(self) -> Any:
        return self.encoder.get_inputs()

    def run(self, output_names: Sequence[str] | None, feeds: Mapping[str, Any]) -> list[Any]:
        """The audio (batch, 1, 1, samples) and the graph's other outputs; ``output_names``
        is None (all), as Piper asks."""
        if output_names is not None:
            raise ValueError("a windowed voice answers for all its outputs only")
        results = self.encoder.run(None, dict(feeds))
        given = results[: len(self.inputs)]
        others = results[len(self.inputs) :]
        audio = self.decode(given[0], dict(zip(self.inputs[1:], given[1:], strict=True)))
        return [audio[:, np.newaxis], *others]

    def decode(self, frames: Any, extra: Mapping[str, Any]) -> Any:
        """The decoder's samples for ``frames`` (batch, channels, frames), window by window."""
        count = frames.shape[-1]
        if count <= self.window + 2 * self.margin:
            return self._decoded(frames, extra)
        windows = -(-count // self.window)  # as many as needed, all of one length
        bounds = [count * number // windows for number in range(windows + 1)]
        pieces = []
        for begin, end in itertools.pairwise(bounds):
            low, high = max(0, begin - self.margin), min(count, end + self.margin)
            near = {
                name: np.ascontiguousarray(value[..., low:high])
                if value.ndim and value.shape[-1] == count
                else value
                for name, value in extra.items()
            }
            samples = self._decoded(np.ascontiguousarray(frames[..., low:high]), near)
            hop = samples.shape[-1] // (high - low)
            if samples.shape[-1] != hop * (high - low):
                raise ValueError("the decoder's samples are not a whole number per frame")
            pieces.append(samples[..., (begin - low) * hop : (end - low) * hop])
        return np.concatenate(pieces, axis=-1)

    def _decoded(self, frames: Any, extra: Mapping[str, Any]) -> Any:
        return self.decoder.run([self.output], {self.inputs[0]: frames, **extra})[0]


@dataclass
class _Node:
    name: bytes
    op_type: bytes
    inputs: list[bytes]
    outputs: list[bytes]


def _node(model: bytes | mmap.mmap, start: int, end: int) -> _Node:
    node = _Node(b"", b"", [], [])
    for number, kind, _, a, b in _fields(model, start, end):
        if kind != _LENGTH_DELIMITED:
            continue
        value = bytes(model[a:b])
        if number == _NODE_INPUT:
            node.inputs.append(value)
        elif number == _NODE_OUTPUT:
            node.outputs.append(value)
        elif number == _NODE_NAME:
            node.name = value
        elif number == _NODE_OP_TYPE:
            node.op_type = value
    return node


def _name_of(model: bytes | mmap.mmap, start: int, end: int, field: int) -> bytes:
    """The name (field ``field``) of the message whose field is ``model[start:end]``."""
    _, _, _, a, b = next(_fields(model, start, end))
    for number, kind, _, x, y in _fields(model, a, b):
        if number == field and kind == _LENGTH_DELIMITED:
            return bytes(model[x:y])
    return b""


def _initializer_names(model: bytes | mmap.mmap, fields: list[tuple[int, int, int]]) -> set[bytes]:
    return {_name_of(model, a, b, _TENSOR_NAME) for n, a, b in fields if n == _GRAPH_INITIALIZER}


def _output_names(model: bytes | mmap.mmap, fields: list[tuple[int, int, int]]) -> list[bytes]:
    return [_name_of(model, a, b, _VALUE_NAME) for n, a, b in fields if n == _GRAPH_OUTPUT]


def _value_info(field: int, name: bytes) -> bytes:
    """A graph input or output named ``name``: a float tensor of any shape."""
    return _field(field, _field(_VALUE_NAME, name) + _field(_VALUE_TYPE, _FLOAT_TENSOR))
