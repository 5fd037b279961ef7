"""Every setting of a render in one place: its default, its range, its help, and where its
value comes from (given, else the environment, else the config file, else the default).

:class:`Settings` is what a render decides apart from the article and the target;
``Settings.load`` layers the sources. The command line takes its option defaults, ranges
and help from :data:`OPTIONS`, and ``letteraudio config show`` reports
:attr:`Settings.sources`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from letteraudio.audio.encode import DEFAULT_BITRATE, MP3_BITRATES, check_bitrate
from letteraudio.config import METADATA_KEYS
from letteraudio.engines import DEFAULT_ENGINE, SPEED_RANGE
from letteraudio.errors import InputError
from letteraudio.text.lexicon import Lexicon
from letteraudio.text.segment import Pauses
from letteraudio.values import ChapterMode, SidecarChoice

if TYPE_CHECKING:
    from letteraudio.engines import Engine

MAX_ARTICLE_CHARS = 1_000_000
"""Longest article accepted by default: about 18 hours of speech."""
ENGINE_PANEL, AUDIO, TAGS, PUBLISH, SCALE = (
    "Engine and voice", "Audio", "Tags and chapters", "Transcripts and publishing",
    "Many articles and clusters",
)  # fmt: skip


# --- checks of values from a config file -----------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("give a string")
    return str(value)


def _number(low: float, high: float) -> Callable[[object], float]:
    def check(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"give a number from {low:g} to {high:g}")
        if not low <= value <= high:
            raise ValueError(f"choose from {low:g} to {high:g}")
        return float(value)

    return check


def _whole(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"give a whole number from {low} to {high}")
        if not low <= value <= high:
            raise ValueError(f"choose from {low} to {high}")
        return value

    return check


def _bitrate(value: object) -> int:
    if isinstance(value, bool) or value not in MP3_BITRATES:
        raise ValueError(f"choose from {', '.join(map(str, MP3_BITRATES))}")
    return int(str(value))


def _chapters(value: object) -> str:
    choices = [mode.value for mode in ChapterMode]
    if value not in choices:
        raise ValueError(f"choose from {', '.join(choices)}")
    return str(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("give true or false")
    return value


@dataclass(frozen=True)
class Option:
    """One setting: its default, range, help and how it may be given."""

    default: Any
    help: str
    panel: str | None = None
    low: float | None = None
    high: float | None = None
    check: Callable[[object], Any] | None = None
    """How a config file's value is checked; None: it cannot be set in a config file."""
    env: str | None = None
    path: bool = False
    """A path, taken relative to the config file."""
    voice: bool = False
    """An engine option: refused when given to an engine that does not take it."""
    refusal: str = "--{option} is not an option of the {engine} engine"
    """What to say when an engine does not take it."""


GTTS_ONLY = "--{option} is a gtts option; the {engine} engine does not take it"
ONLINE_ONLY = "--timeout and --retries are for online engines; {engine} is offline"

OPTIONS: dict[str, Option] = {
    "engine": Option(DEFAULT_ENGINE, "Text-to-speech engine: see `letteraudio engines`.",
                     ENGINE_PANEL, check=_text),
    "voice": Option(None, "Voice (see `letteraudio voices`): for hibari a voice name "
                    "(default: the bundled heart; others only when already on disk); for piper "
                    "a .onnx file with its .onnx.json beside it, or a voice in --voices-dir "
                    "(default: the bundled en_US-joe-medium); for espeak a voice such as "
                    "en-gb-scotland.",
                    ENGINE_PANEL, check=_text, voice=True),
    "lang": Option(None, "Language, e.g. en, fr: picks a voice that speaks it (gtts: any of "
                   "its languages; hibari: English voices on disk; piper: the bundled voice or "
                   "one in --voices-dir; espeak: its voice for that language); also the "
                   "language the article is read in (numbers and the like).", ENGINE_PANEL,
                   check=_text, voice=True),
    "speed": Option(1.0, "Speaking rate relative to the voice's default pace, 0.5 to 2.0: "
                    "1.25 takes about 20 % less time, 0.8 about 25 % more (hibari: its frames "
                    "resampled; piper: length scale; espeak: "
                    "words per minute; gtts: its slow voice up to 0.6, else a pitch-preserving "
                    "time stretch).",
                    ENGINE_PANEL, *SPEED_RANGE, _number(*SPEED_RANGE), voice=True),
    "speaker": Option(None, "Speaker of a multi-speaker Piper voice, by name or number (see "
                      "`letteraudio voices`).", ENGINE_PANEL, check=_text, voice=True),
    "voices_dir": Option(None, "Folder of extra voices: Piper's (.onnx files with their "
                         ".onnx.json) and hibari's (its file names); default: "
                         "$LETTERAUDIO_VOICES.", ENGINE_PANEL,
                         check=_text, env="LETTERAUDIO_VOICES", path=True, voice=True),
    "tld": Option(None, "Google domain for the accent: com, co.uk, com.au... (gtts).",
                  ENGINE_PANEL, check=_text, voice=True, refusal=GTTS_ONLY),
    "slow": Option(False, "Speak slowly (gtts).", ENGINE_PANEL, voice=True, refusal=GTTS_ONLY),
    "retries": Option(None, "Further attempts after a failed request, with backoff (gtts; "
                      "default: 3).", ENGINE_PANEL, 0, 10, voice=True, refusal=ONLINE_ONLY),
    "fallback": Option(None, "Engine that speaks any segment the main engine still fails, "
                       "e.g. --fallback piper.", ENGINE_PANEL, check=_text),
    "timeout": Option(None, "Seconds to wait for each network request (gtts; default: 15).",
                      ENGINE_PANEL, 0.1, voice=True, refusal=ONLINE_ONLY),
    "deterministic": Option(False, "Same text, same audio: no random variation in the voice "
                            "(piper, hibari).", ENGINE_PANEL, check=_flag, voice=True,
                            refusal="--deterministic is for offline voices; {engine} cannot "
                            "promise it"),
    "pause_ms": Option(750, "Pause between paragraphs, in ms.", AUDIO, 0, 10_000,
                       _whole(0, 10_000)),
    "title_pause_ms": Option(1200, "Pause after the title, in ms.", AUDIO, 0, 10_000,
                             _whole(0, 10_000)),
    "bitrate": Option(DEFAULT_BITRATE, "MP3 bitrate in kbps (constant).", AUDIO, check=_bitrate),
    "loudness": Option(-16.0, "Integrated loudness target in LUFS, -24 to -14 (true peak "
                       "stays under -1 dBTP).", AUDIO, -24.0, -14.0, _number(-24.0, -14.0)),
    "no_normalize": Option(False, "Keep the engine's own level: no loudness normalization or "
                           "limiting.", AUDIO),
    "chapters": Option(ChapterMode.HEADINGS, "Chapters at headings (falling back to "
                       "paragraphs when there are none), at paragraphs, or none.", TAGS,
                       check=_chapters),
    "id3v24": Option(False, "Write ID3v2.4 instead of the more widely read v2.3.", TAGS),
    "cache_dir": Option(None, "Where spoken segments and encoded paragraphs are cached "
                        "(default: the user cache folder).", AUDIO),
    "no_cache": Option(False, "Speak every segment afresh; store nothing.", AUDIO),
    "jobs": Option(None, "Segments spoken at once: piper workers use two cores each (default: "
                   "one per two cores); gtts keeps that many requests in flight (default: 8, "
                   "halved on 429). The audio is the same whatever the number.", AUDIO, 1, 64),
    "no_clobber": Option(False, "Refuse to replace an existing output file."),
    "verify": Option(False, "Listen to each sentence after speaking it (the recognizer of the "
                     "align extra, English only): one that does not say its text is spoken "
                     "again once, and any still failing is reported.", check=_flag),
    "max_chars": Option(MAX_ARTICLE_CHARS, "Refuse articles longer than this many "
                        "characters.", low=1),
    "text_format": Option(None, "Read the article as text, markdown or html (default: by its "
                          "extension)."),
    "keep_boilerplate": Option(False, "Keep sign-up prompts, share buttons, credits and the "
                               "like."),
    "lexicon": Option(None, 'TOML file of pronunciations: word = "said like this".'),
    "vtt": Option(True, "Write a WebVTT transcript beside the MP3 (.vtt).", PUBLISH),
    "srt": Option(True, "Write SRT subtitles beside the MP3 (.srt).", PUBLISH),
    "chapters_json": Option(True, "Write Podcasting 2.0 chapters beside the MP3 "
                            "(.chapters.json).", PUBLISH),
    "title": Option(None, "Episode title (default: the article's title, else its file name).",
                    TAGS),
    "author": Option(None, "Author (ID3 TPE1).", TAGS),
    "show": Option(None, "Show or album name (TALB).", TAGS),
    "description": Option(None, "Description (COMM; default: the subtitle).", TAGS),
    "language": Option(None, "Language tag, e.g. en (TLAN; default: --lang, else en).", TAGS),
    "cover": Option(None, "Cover image, JPEG or PNG (APIC).", TAGS),
    "date": Option(None, "Release date, YYYY or YYYY-MM-DD (none is written unless given).",
                   TAGS),
    "feed": Option(False, "After rendering, refresh the feed and pages in the output folder "
                   "(as `letteraudio feed` does; after several articles, also when the config "
                   "file has a \\[feed] table).", SCALE),
    "scheduler": Option(None, "Send paragraph tasks to this Dask scheduler, e.g. "
                        "tcp://10.0.0.5:8786 (needs letteraudio\\[dask] on every node; "
                        "default: $LETTERAUDIO_SCHEDULER).", SCALE, check=_text,
                        env="LETTERAUDIO_SCHEDULER"),
    "local_cluster": Option(None, "Start this many Dask worker processes here and send "
                            "paragraph tasks to them (needs letteraudio\\[dask]).", SCALE, 1,
                            64),
    "task_retries": Option(2, "Further attempts at a paragraph task that failed on a Dask "
                           "worker before its article fails.", SCALE, 0, 10, _whole(0, 10)),
}  # fmt: skip
"""Every render setting by its key (the option's name with ``_`` for ``-``)."""
CONFIG_KEYS = tuple(key for key, option in OPTIONS.items() if option.check is not None)
"""What the ``[render]`` table of a config file may hold."""


@dataclass(frozen=True)
class Source:
    """An effective setting and where it came from."""

    value: Any
    source: str
    """``default``, ``option``, ``env NAME`` or the config file's path."""


@dataclass(frozen=True)
class Voice:
    """Who speaks: an engine by name and the options given to it, checked against what the
    engine declares it takes. A plain value: it names the voice, it loads nothing."""

    engine: str
    options: Mapping[str, Any]

    def __init__(self, engine: str = DEFAULT_ENGINE, **options: Any) -> None:
        from letteraudio.engines import engine_class, refused_option

        given = {key: value for key, value in options.items() if value is not None}
        for key in given:
            if key not in OPTIONS or not OPTIONS[key].voice:
                raise InputError(f"{key!r} is not a voice option")
            if refused_option(engine_class(engine), key):
                text = OPTIONS[key].refusal
                raise InputError(text.format(option=key.replace("_", "-"), engine=engine))
        object.__setattr__(self, "engine", engine)
        object.__setattr__(self, "options", dict(sorted(given.items())))

    def __hash__(self) -> int:
        return hash((self.engine, tuple(self.options.items())))

    def engine_class(self) -> type[Engine]:
        from letteraudio.engines import engine_class

        return engine_class(self.engine)

    def build(self, jobs: int | None = None, cache_dir: Path | None = None) -> Engine:
        """The engine, ready to speak (a voice model is loaded on first use, not here)."""
        from letteraudio.engines import EngineSettings

        options = dict(self.options)
        if options.get("voices_dir"):
            options["voices_dir"] = Path(options["voices_dir"]).expanduser()
        return self.engine_class()(EngineSettings(**options, jobs=jobs, cache_dir=cache_dir))

    @staticmethod
    def taking(engine: str, options: Mapping[str, Any]) -> Voice:
        """The voice of ``engine`` with those of ``options`` it takes (others left out)."""
        from letteraudio.engines import engine_class, refused_option

        cls = engine_class(engine)
        kept = {k: v for k, v in options.items() if v is not None and not refused_option(cls, k)}
        return Voice(engine, **kept)


@dataclass(frozen=True)
class Settings:
    """What a render decides apart from the article and where it goes."""

    voice: Voice = field(default_factory=Voice)
    fallback: Voice | None = None
    """Speaks what the voice fails (and everything, when its engine cannot be reached)."""
    pauses: Pauses = field(default_factory=Pauses)
    bitrate: int = OPTIONS["bitrate"].default
    loudness: float | None = OPTIONS["loudness"].default
    """Integrated loudness target; None keeps the engine's level."""
    chapters: ChapterMode = ChapterMode.HEADINGS
    id3v24: bool = False
    replace: bool = True
    """Whether an existing file at the target may be replaced."""
    cache_dir: Path | None = None
    """Where clips and encoded paragraphs are kept; None: nowhere."""
    jobs: int | None = None
    text_format: str | None = None
    keep_boilerplate: bool = False
    lexicon: Lexicon | None = None
    max_chars: int = MAX_ARTICLE_CHARS
    metadata: Mapping[str, str] = field(default_factory=dict)
    """Tags given: they win over the document's own."""
    metadata_defaults: Mapping[str, str] = field(default_factory=dict)
    """Tags from the config file's ``[metadata]``: the document's own win over them."""
    sidecars: SidecarChoice | None = field(default_factory=SidecarChoice)
    """Which sidecars to write beside the MP3; None: none at all."""
    config: Path | None = None
    scheduler: str | None = None
    """A Dask scheduler's address: paragraph tasks go there (see
    :mod:`letteraudio.render.maps.dask`)."""
    local_cluster: int | None = None
    """Dask worker processes to start on this machine for the render."""
    task_retries: int = OPTIONS["task_retries"].default
    feed: bool = False
    """Refresh the output folder's feed after a batch."""
    verify: bool = False
    """Check each sentence's audio with the recognizer; speak a failing one again once."""
    sources: Mapping[str, Source] = field(default_factory=dict, compare=False)
    """Each configurable setting's value and where it came from."""

    def __post_init__(self) -> None:
        check_bitrate(self.bitrate)

    def scheduler_note(self) -> str:
        """What a render that uses a scheduler says first: which, from where, and that a
        scheduler can run code in this process."""
        where = self.sources["scheduler"].source if "scheduler" in self.sources else "given"
        return (f"paragraph tasks go to the Dask scheduler at {self.scheduler} ({where}); it "
                "can run code in this process: use only one you trust")  # fmt: skip

    @classmethod
    def load(
        cls,
        config: Path | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        find: bool = True,
        **given: Any,
    ) -> Settings:
        """Settings from ``given`` (keys of :data:`OPTIONS` and metadata keys; ``voice``
        may be a :class:`Voice`), else the environment, else the config file (``config``,
        else the one found as :func:`letteraudio.config.find_config` says unless ``find``
        is false), else the defaults."""
        from letteraudio.config import find_config

        path = find_config(config) if find else config
        spec = given.pop("voice", None)
        if isinstance(spec, Voice):
            given = {**spec.options, "engine": spec.engine, **given}
        elif spec is not None:
            given["voice"] = spec
        given = {key: value for key, value in given.items() if value is not None}
        unknown = sorted(set(given) - set(OPTIONS))
        if unknown:
            raise InputError(f"unknown setting {unknown[0]!r}")
        sources = layered(given, path, os.environ if environ is None else environ)
        value = {key: source.value for key, source in sources.items()}
        if value["scheduler"] and config is None and sources["scheduler"].source == str(path):
            # a scheduler runs code in this process: never one named by a file found on disk
            raise InputError(
                f"config {path} names a scheduler ({value['scheduler']}); a Dask scheduler "
                "can run code here, so one is used only from --scheduler, "
                "LETTERAUDIO_SCHEDULER or a config file given with --config"
            )
        wanted = {key: value[key] for key, option in OPTIONS.items() if option.voice}
        Voice(value["engine"], **{k: v for k, v in given.items() if k in wanted})  # refused?
        voice = Voice.taking(value["engine"], wanted)
        fallback = None
        if value["fallback"]:  # the fallback is not given the voice's own voice and speaker
            fallback = Voice.taking(value["fallback"], {**wanted, "voice": None, "speaker": None})
        metadata = {key: str(given[key]) for key in METADATA_KEYS if key in given}
        _check_metadata(metadata)
        return cls(
            voice=voice,
            fallback=fallback,
            pauses=replace(Pauses(), paragraph=value["pause_ms"], title=value["title_pause_ms"]),
            bitrate=value["bitrate"],
            loudness=None if value["no_normalize"] else value["loudness"],
            chapters=ChapterMode(value["chapters"]),
            id3v24=value["id3v24"],
            replace=not value["no_clobber"],
            cache_dir=None if value["no_cache"] else _cache_dir(value["cache_dir"]),
            jobs=value["jobs"],
            text_format=value["text_format"],
            keep_boilerplate=value["keep_boilerplate"],
            lexicon=_lexicon(value["lexicon"], path),
            max_chars=value["max_chars"],
            metadata=metadata,
            metadata_defaults=_config_metadata(path),
            sidecars=SidecarChoice(value["vtt"], value["srt"], value["chapters_json"]),
            config=path,
            scheduler=_scheduler(value["scheduler"], value["local_cluster"], sources),
            local_cluster=value["local_cluster"],
            task_retries=value["task_retries"],
            feed=value["feed"],
            verify=value["verify"],
            sources={k: v for k, v in sources.items() if k in CONFIG_KEYS},
        )


def layered(
    given: Mapping[str, Any], path: Path | None, environ: Mapping[str, str]
) -> dict[str, Source]:
    """Each setting: given, else from the environment, else the config file, else its
    default."""
    from_file = load_render_defaults(path)
    chosen = {}
    for key, option in OPTIONS.items():
        if key in given:
            value = given[key]
            chosen[key] = Source(value.value if isinstance(value, ChapterMode) else value, "option")
        elif option.env and environ.get(option.env):
            chosen[key] = Source(environ[option.env], f"env {option.env}")
        elif key in from_file:
            chosen[key] = Source(from_file[key], str(path))
        else:
            default = option.default
            chosen[key] = Source(default.value if isinstance(default, ChapterMode) else default,
                                 "default")  # fmt: skip
    return chosen


def load_render_defaults(path: Path | None) -> dict[str, Any]:
    """The checked ``[render]`` table of a config file (empty without one)."""
    from letteraudio.config import load_section

    table = load_section(path, "render")
    values: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        option = OPTIONS.get(key)
        if option is None or option.check is None:
            known = ", ".join(k.replace("_", "-") for k in CONFIG_KEYS)
            raise InputError(f"config {path}: unknown [render] key {raw_key!r} (known: {known})")
        try:
            values[key] = option.check(value)
        except ValueError as error:
            raise InputError(f"config {path}: [render] {raw_key} = {value!r}: {error}") from None
        if option.path and path is not None:
            values[key] = str((path.parent / Path(values[key]).expanduser()).resolve())
    return values


def _config_metadata(path: Path | None) -> dict[str, Any]:
    """The config file's ``[metadata]``, its date held to what ``--date`` takes."""
    from letteraudio.config import load_metadata
    from letteraudio.tags import check_date

    metadata = load_metadata(path)
    if metadata.get("date"):
        try:
            check_date(metadata["date"])
        except InputError as error:
            raise InputError(f"config {path}: [metadata] {error}") from None
    return metadata


def _check_metadata(metadata: Mapping[str, str]) -> None:
    from letteraudio.tags import check_date, read_cover

    if metadata.get("cover"):
        read_cover(Path(metadata["cover"]))
    if metadata.get("date"):
        check_date(metadata["date"])


def _scheduler(
    scheduler: str | None, local_cluster: int | None, sources: Mapping[str, Source]
) -> str | None:
    """A scheduler from the environment or the config file gives way to a local cluster
    asked for on this command line (both given here is refused when connecting)."""
    if scheduler and local_cluster and sources["scheduler"].source != "option":
        return None
    return scheduler


def _cache_dir(value: str | Path | None) -> Path:
    from letteraudio.cache import default_cache_dir

    return Path(value) if value else default_cache_dir()


def _lexicon(path: str | Path | None, config: Path | None) -> Lexicon | None:
    """The lexicon file given, else the config file's ``[lexicon]`` table."""
    from letteraudio.config import load_section
    from letteraudio.text.lexicon import lexicon_from_table, load_lexicon

    if path is not None:
        return load_lexicon(Path(path))
    table = load_section(config, "lexicon")
    return lexicon_from_table(table, f"config {config}") if table else None
