"""Piper's decoder over windows of latent frames (letteraudio.engines.decoder): the graph
split in its bytes, run by real onnxruntime sessions, against the whole graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import pytest

from letteraudio.engines import EngineSettings
from letteraudio.engines.decoder import (
    MARGIN_FRAMES,
    WINDOW_FRAMES,
    WindowedSession,
    split_decoder,
)

pytest.importorskip("piper", reason="Piper is the [piper] extra, which the tests install")
from letteraudio.engines import piper

LONG = "; ".join(["the gulls rose over the harbour wall and the ferry waited"] * 2) + "."


def _session(model: bytes) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


class _Counting:
    """A real session whose calls' frame counts are noted."""

    def __init__(self, session: onnxruntime.InferenceSession, frames: list[int]) -> None:
        self.session, self.frames = session, frames

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)

    def run(self, names: Any, feeds: dict[str, Any]) -> Any:
        self.frames.append(next(iter(feeds.values())).shape[-1])
        return self.session.run(names, feeds)


def test_the_bundled_voice_decoded_in_windows_says_what_the_whole_graph_says() -> None:
    """A long call: the same number of samples and the same phoneme lengths as the whole
    (patched) graph, every sample within one step of it (most equal), and no call of the
    decoder over more than a window and its margins."""
    engine = piper.PiperEngine(EngineSettings(deterministic=True))
    whole_model = piper._model_source(engine.model, True)
    assert isinstance(whole_model, bytes)
    split = split_decoder(whole_model)
    assert len(split.decoder) < len(split.encoder) / 4  # the decoder's weights only
    frames: list[int] = []
    windowed = WindowedSession(
        _session(split.encoder),
        _Counting(_session(split.decoder), frames),
    )
    whole = _session(whole_model)
    voice = engine._loaded()
    ids = [i for sentence in voice.phonemize(LONG) for i in voice.phonemes_to_ids(sentence)]
    feeds = {
        "input": np.array([ids], np.int64),
        "input_lengths": np.array([len(ids)], np.int64),
        "scales": np.array([0.0, engine.length_scale, 0.0], np.float32),
    }
    expected, ours = whole.run(None, feeds), windowed.run(None, feeds)
    assert [a.shape for a in ours] == [a.shape for a in expected]
    assert np.array_equal(ours[1], expected[1])  # the phoneme lengths, for word times
    steps = np.abs(np.rint(ours[0] * 32767) - np.rint(expected[0] * 32767))
    assert steps.max() <= 1 and np.count_nonzero(steps) < steps.size / 10_000
    assert len(frames) >= 3 and max(frames) <= WINDOW_FRAMES + 2 * MARGIN_FRAMES
    assert sum(frames) > expected[0].shape[-1] // 256  # the margins, decoded twice


def test_the_engine_speaks_through_the_split_graph_and_prepares_both_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's voice is the windowed one; with a cache, both parts are kept prepared
    for this machine, and a voice loaded from them (or from damaged ones, made again)
    speaks the very same samples."""

    def spoken(cache: Path | None) -> bytes:
        monkeypatch.setattr(piper, "_UNSPLIT", set())  # a fresh process's state
        monkeypatch.setattr(piper, "_PATCHED", {})
        engine = piper.PiperEngine(EngineSettings(deterministic=True, cache_dir=cache))
        assert isinstance(engine._loaded().session, WindowedSession)
        return engine.synthesize(LONG).samples.tobytes()

    plain = spoken(None)
    cache = tmp_path / "cache"
    assert spoken(cache) == plain
    parts = sorted((cache / "models").glob("*.onnx"), key=lambda p: p.stat().st_size)
    assert len(parts) == 2 and ".decoder-" in parts[0].name
    stamps = {p: p.stat().st_mtime_ns for p in parts}
    assert spoken(cache) == plain  # loaded from them: nothing made again
    assert {p: p.stat().st_mtime_ns for p in parts} == stamps
    parts[0].write_bytes(b"not a model")
    assert spoken(cache) == plain  # the damaged part is not used, and is made again
    assert len(list((cache / "models").glob("*.onnx"))) == 2
    assert all(p.stat().st_size > 1_000_000 for p in (cache / "models").glob("*.onnx"))


def _tiny_voice(
    onnx: Any,
    *,
    tail: str = "Unsqueeze",
    prefix: str = "/dec/",
    shape: str = "shape",
    weights_listed: bool = False,
) -> bytes:
    """A graph shaped as Piper's: frames and a speaker's embedding made by the rest (Muls),
    decoded by a convolution (kernel 3: one frame of reach), the embedding added, and a
    Tanh into samples (4 per frame, by a Reshape of the channels), then an Unsqueeze to
    the graph's output. ``shape="made"``: the Reshape's shape is made by the rest too (an
    integer tensor, which the decoder's part cannot take as the float it declares).
    ``weights_listed``: the weights are graph inputs too, as older exports list them."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(7)
    weights = [
        numpy_helper.from_array(np.array([2.0], np.float32), "two"),
        numpy_helper.from_array(rng.standard_normal((4, 3, 3)).astype(np.float32), "w"),
        numpy_helper.from_array(np.array([1, 1, -1], np.int64), "shape"),
        numpy_helper.from_array(np.array([1], np.int64), "axes"),
    ]
    nodes = [
        helper.make_node("Mul", ["x", "two"], ["frames"], name="/Mul"),
        helper.make_node("Mul", ["speaker", "two"], ["voice"], name="/Mul_1"),
        helper.make_node("Identity", ["shape"], ["made"], name="/Identity"),
        helper.make_node(
            "Conv", ["frames", "w"], ["conv"], name=f"{prefix}conv_pre/Conv", pads=[1, 1]
        ),
        helper.make_node(  # a speaker's embedding, made by the rest, added to every frame
            "Add", ["conv", "voice"], ["voiced"], name=f"{prefix}Add"
        ),
        helper.make_node(
            "Transpose", ["voiced"], ["by_time"], name=f"{prefix}Transpose", perm=[0, 2, 1]
        ),
        helper.make_node("Reshape", ["by_time", shape], ["flat"], name=f"{prefix}Reshape"),
        helper.make_node("Tanh", ["flat"], ["samples"], name=f"{prefix}Tanh"),
        helper.make_node(
            tail,
            ["samples", "axes"] if tail == "Unsqueeze" else ["samples"],
            ["output"],
            name="/Unsqueeze",
        ),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, None]),
            helper.make_tensor_value_info("speaker", TensorProto.FLOAT, [1, 4, 1]),
            *(
                [
                    helper.make_tensor_value_info("two", TensorProto.FLOAT, [1]),
                    helper.make_tensor_value_info("w", TensorProto.FLOAT, [4, 3, 3]),
                ]
                if weights_listed
                else []
            ),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, None)],
        weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return bytes(model.SerializeToString())


@pytest.mark.parametrize("weights_listed", [False, True], ids=["weights", "weights as inputs"])
def test_a_split_graph_decoded_in_windows_gives_the_whole_graphs_samples(
    weights_listed: bool,
) -> None:
    onnx = pytest.importorskip("onnx", reason="the test extra installs onnx")
    model = _tiny_voice(onnx, weights_listed=weights_listed)
    split = split_decoder(model)
    assert split.inputs == ("frames", "voice") and split.output == "samples"
    rng = np.random.default_rng(3)
    feeds = {
        "x": rng.standard_normal((1, 3, 50)).astype(np.float32),
        "speaker": rng.standard_normal((1, 4, 1)).astype(np.float32),
    }
    (expected,) = _session(model).run(None, feeds)
    seen: list[int] = []
    encoder = _session(split.encoder)
    decoder = _Counting(_session(split.decoder), seen)
    windowed = WindowedSession(encoder, decoder, window=8, margin=2)
    (ours,) = windowed.run(None, feeds)
    assert ours.shape == expected.shape == (1, 1, 1, 200)
    np.testing.assert_allclose(ours, expected, atol=1e-6)
    assert seen == [9, *[11] * 5, 10]  # 50 frames: 7 windows of 7-8, each with its margins
    # Without margins, each window's edges are decoded against silence: not the same.
    bare = WindowedSession(encoder, _session(split.decoder), window=8, margin=0)
    assert not np.allclose(bare.run(None, feeds)[0], expected, atol=1e-3)
    with pytest.raises(ValueError, match="all its outputs"):
        windowed.run(["output"], feeds)


@pytest.mark.parametrize(
    ("shape", "message"),
    [({"prefix": "/decoder_x/"}, "no decoder nodes"), ({"tail": "Identity"}, "first output")],
    ids=["no decoder", "more after the decoder"],
)
def test_a_graph_of_another_shape_is_not_split(shape: dict[str, str], message: str) -> None:
    onnx = pytest.importorskip("onnx", reason="the test extra installs onnx")
    with pytest.raises(ValueError, match=message):
        split_decoder(_tiny_voice(onnx, **shape))
    with pytest.raises(ValueError):
        split_decoder(b"\x08\x07")  # a model that is only a version number


def test_a_graph_whose_parts_do_not_load_is_used_whole(tmp_path: Path) -> None:
    """The engine's loader: a graph that splits and loads in parts is windowed; one that
    splits but whose decoder part does not load (an integer input) is used whole, and
    speaks."""
    onnx = pytest.importorskip("onnx", reason="the test extra installs onnx")
    feeds = {
        "x": np.ones((1, 3, 20), np.float32),
        "speaker": np.ones((1, 4, 1), np.float32),
    }
    for shape, kind in (("shape", WindowedSession), ("made", onnxruntime.InferenceSession)):
        path = tmp_path / f"{shape}.onnx"
        path.write_bytes(_tiny_voice(onnx, shape=shape))
        assert split_decoder(path.read_bytes()).inputs[0] == "frames"  # both split
        session = piper._voice_session(path, None, aligned=False)
        assert isinstance(session, kind)
        assert session.run(None, feeds)[0].shape == (1, 1, 1, 80)


def test_the_cache_keeps_only_the_graphs_in_use(tmp_path: Path) -> None:
    """With a cache: a voice now windowed drops the whole graph an earlier release
    prepared; one whose parts do not load keeps the whole graph and not the parts."""
    onnx = pytest.importorskip("onnx", reason="the test extra installs onnx")
    for shape, kind in (("shape", WindowedSession), ("made", onnxruntime.InferenceSession)):
        path = tmp_path / f"{shape}.onnx"
        path.write_bytes(_tiny_voice(onnx, shape=shape))
        models = tmp_path / shape / "models"
        models.mkdir(parents=True)
        stale = models / f"{piper._prepared_name(path)}-00000000.onnx"
        stale.write_bytes(b"prepared whole by an earlier release")
        session = piper._voice_session(path, tmp_path / shape, aligned=False)
        assert isinstance(session, kind)
        names = sorted(p.name for p in models.glob("*.onnx"))
        whole = piper._prepared_name(path)
        if kind is WindowedSession:
            assert len(names) == 2 and not any(name.startswith(whole) for name in names)
        else:
            assert len(names) == 1 and names[0].startswith(whole) and names[0] != stale.name
