"""The ``letteraudio`` command line: a thin Typer layer over the library."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import signal
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from letteraudio import __version__
from letteraudio.chapters import ChapterMode
from letteraudio.engines import DEFAULT_ENGINE, MAX_SPEED, MIN_SPEED, phoneme_alphabet
from letteraudio.errors import EngineUnavailable, InputError, LetterAudioError, NetworkError

if TYPE_CHECKING:
    from letteraudio.check import Report
    from letteraudio.config import Setting
    from letteraudio.engines import Engine
    from letteraudio.pipeline import Episode, Progress, RenderSettings, Script
    from letteraudio.publish.sidecars import SidecarChoice
    from letteraudio.tags import Metadata
    from letteraudio.text.lexicon import Lexicon
    from letteraudio.text.segment import Pauses
    from letteraudio.text.source import Source

app = typer.Typer(
    name="letteraudio",
    help="Turn a written article or letter into one narrated MP3, offline by default.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DEFAULT_OUTPUT_DIR = Path("output")
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
DEFAULT_TIMEOUT = 15.0
DEFAULT_RETRIES = 3
OUTSIDE_ARTICLE = "not part of the article"
LIST_OUTSIDE_BLOCKS = 10
"""More blocks of a web page outside its article than this are counted, not listed."""
NOTE_LOUDNESS_OFF_LU = 0.5
"""Say so when the episode is further than this from the target (check allows 1 LU)."""

ENGINE = "Engine and voice"
AUDIO = "Audio"
TAGS = "Tags and chapters"
PUBLISH = "Transcripts and publishing"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"letteraudio {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Turn a written article or letter into one narrated MP3, offline by default."""


ARTICLE_HELP = (
    "The article: a text, Markdown or HTML file, - for standard input, or an http(s) URL "
    "to fetch (the only time input is read from the network; proxy settings from the "
    "environment are used)."
)
TextFormat = Annotated[
    str | None,
    typer.Option("--format", help="Read the article as text, markdown or html (default: by its "
                 "extension)."),
]  # fmt: skip
KeepBoilerplate = Annotated[
    bool,
    typer.Option("--keep-boilerplate", help="Keep sign-up prompts, share buttons, credits and "
                 "the like."),
]  # fmt: skip
LexiconOption = Annotated[
    Path | None,
    typer.Option("--lexicon", help='TOML file of pronunciations: word = "said like this".'),
]
MaxChars = Annotated[
    int,
    typer.Option("--max-chars", min=1, help="Refuse articles longer than this many characters."),
]
# Voice options shared by render and say (their defaults can come from letteraudio.toml).
Speed = Annotated[
    float,
    typer.Option(min=MIN_SPEED, max=MAX_SPEED, rich_help_panel=ENGINE,
                 help="Speaking rate, 0.5 to 2.0: 1.25 takes about 20 % less time, 0.8 "
                 "about 25 % more (hibari: its frames resampled; piper: length scale; "
                 "espeak: words per minute; gtts: "
                 "its slow voice up to 0.6, else a pitch-preserving time stretch)."),
]  # fmt: skip
Speaker = Annotated[
    str | None,
    typer.Option(rich_help_panel=ENGINE, help="Speaker of a multi-speaker Piper voice, by "
                 "name or number (see `letteraudio voices`)."),
]  # fmt: skip
VoicesDir = Annotated[
    Path | None,
    typer.Option(rich_help_panel=ENGINE, help="Folder of extra voices: Piper's (.onnx files "
                 "with their .onnx.json) and hibari's (its file names); default: "
                 "$LETTERAUDIO_VOICES."),
]  # fmt: skip
Lang = Annotated[
    str | None,
    typer.Option(rich_help_panel=ENGINE, help="Language, e.g. en, fr: picks a voice that speaks "
                 "it (gtts: any of its languages; hibari: English voices on disk; piper: the "
                 "bundled voice or one in --voices-dir; espeak: its voice for that language); "
                 "also the language the article is read in (numbers and the like)."),
]  # fmt: skip


@app.command()
def script(
    ctx: typer.Context,
    article: Annotated[
        str,
        typer.Argument(metavar="ARTICLE", help=ARTICLE_HELP),
    ],
    engine: Annotated[
        str, typer.Option("--engine", "-e", help="Engine whose limits and pace to plan for.")
    ] = DEFAULT_ENGINE,
    voice: Annotated[
        str | None, typer.Option(help="Voice, as for render: its name may give the language.")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            help="The article's language, e.g. en, de (default: the document's, "
            "else the voice's, else English)."
        ),
    ] = None,
    text_format: TextFormat = None,
    keep_boilerplate: KeepBoilerplate = False,
    lexicon: LexiconOption = None,
    config: Annotated[
        Path | None,
        typer.Option(help="Config file (default: ./letteraudio.toml, else the user's)."),
    ] = None,
    max_chars: MaxChars = 1_000_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the script as JSON.")] = False,
) -> None:
    """Print what would be spoken: each segment as written and, where it differs, as
    spoken; its kind and pause; and what was dropped."""
    from letteraudio.config import find_config
    from letteraudio.engines import engine_class
    from letteraudio.text.segment import Pauses

    with _errors_to_exit_codes():
        config_path = find_config(config)
        value = {key: setting.value for key, setting in _configured(ctx, config_path).items()}
        engine_type = engine_class(value["engine"])
        planned, _ = _script(
            article, engine_type, Pauses(), text_format, keep_boilerplate, lexicon,
            config_path, max_chars, value["lang"], value["voice"],
        )  # fmt: skip
        if as_json:
            typer.echo(json.dumps(_script_json(planned, engine_type), indent=2, ensure_ascii=False))
        else:
            _print_script(planned, engine_type.name, engine_type.chars_per_second)


@app.command()
def say(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The words to say, e.g. a name to audition.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the MP3.")
    ] = DEFAULT_OUTPUT_DIR / "say.mp3",
    engine: Annotated[
        str, typer.Option("--engine", "-e", help="Text-to-speech engine.")
    ] = DEFAULT_ENGINE,
    voice: Annotated[
        str | None, typer.Option(help="Voice, as for render (see `letteraudio voices`).")
    ] = None,
    lang: Lang = None,
    speed: Speed = 1.0,
    speaker: Speaker = None,
    voices_dir: VoicesDir = None,
    lexicon: LexiconOption = None,
) -> None:
    """Speak a short phrase to an MP3, to audition a pronunciation."""
    from letteraudio.audio.encode import check_writable
    from letteraudio.cache import default_cache_dir
    from letteraudio.config import find_config
    from letteraudio.engines import EngineSettings, create_engine, engine_class
    from letteraudio.pipeline import ReadingSettings, RenderSettings, Voices, build_script, narrate
    from letteraudio.tags import Metadata
    from letteraudio.text.segment import Pauses

    with _errors_to_exit_codes():
        config_path = find_config(None)
        value = {key: setting.value for key, setting in _configured(ctx, config_path).items()}
        engine_type = engine_class(value["engine"])
        check_writable(output)
        reading = ReadingSettings(
            keep_boilerplate=True,  # a phrase to audition is never clutter
            lexicon=_lexicon(lexicon, config_path),
            phonemes=phoneme_alphabet(engine_type) or False,
            lang=value["lang"],
            voice=value["voice"],
        )
        planned = build_script(text, engine_type.max_chars, Pauses(), reading)
        engine_settings = EngineSettings(
            voice=value["voice"], lang=value["lang"], speed=value["speed"],
            speaker=value["speaker"], voices_dir=_path(value["voices_dir"]),
            cache_dir=default_cache_dir(),
        )  # fmt: skip
        voices = Voices(engine=create_engine(engine_type.name, engine_settings))
        settings = RenderSettings(chapters=ChapterMode.NONE)
        episode = narrate(planned, voices, output, settings, Metadata(title=text[:100]))
        typer.echo(f"Wrote {episode.path}: {episode.duration:.1f} s")


@app.command()
def render(
    ctx: typer.Context,
    article: Annotated[
        str,
        typer.Argument(metavar="ARTICLE", help=ARTICLE_HELP),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="MP3 file, or a folder (existing, or ending in /) to write ARTICLE.mp3 in "
            "(default: output/ARTICLE.mp3; for a URL, named from the page's title).",
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            "-e",
            help="Text-to-speech engine: see `letteraudio engines`.",
            rich_help_panel=ENGINE,
        ),
    ] = DEFAULT_ENGINE,
    voice: Annotated[
        str | None,
        typer.Option(
            help="Voice (see `letteraudio voices`): for hibari a voice name (default: the "
            "bundled heart; others only when already on disk); for piper a .onnx file with "
            "its .onnx.json beside it, or a voice in --voices-dir (default: the bundled "
            "en_US-joe-medium); for espeak a voice such as en-gb-scotland.",
            rich_help_panel=ENGINE,
        ),
    ] = None,
    lang: Lang = None,
    speed: Speed = 1.0,
    speaker: Speaker = None,
    voices_dir: VoicesDir = None,
    tld: Annotated[
        str | None,
        typer.Option(
            help="Google domain for the accent: com, co.uk, com.au... (gtts).",
            rich_help_panel=ENGINE,
        ),
    ] = None,
    slow: Annotated[
        bool, typer.Option("--slow", help="Speak slowly (gtts).", rich_help_panel=ENGINE)
    ] = False,
    retries: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=10,
            help="Further attempts after a failed request, with backoff (gtts; default: 3).",
            rich_help_panel=ENGINE,
        ),
    ] = None,
    fallback: Annotated[
        str | None,
        typer.Option(
            help="Engine that speaks any segment the main engine still fails, "
            "e.g. --fallback piper.",
            rich_help_panel=ENGINE,
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            help="Seconds to wait for each network request (gtts; default: 15).",
            rich_help_panel=ENGINE,
        ),
    ] = None,
    deterministic: Annotated[
        bool,
        typer.Option(
            "--deterministic",
            help="Same text, same audio: no random variation in the voice (piper, hibari).",
            rich_help_panel=ENGINE,
        ),
    ] = False,
    pause_ms: Annotated[
        int,
        typer.Option(
            "--pause-ms",
            min=0,
            max=10_000,
            help="Pause between paragraphs, in ms.",
            rich_help_panel=AUDIO,
        ),
    ] = 750,
    title_pause_ms: Annotated[
        int,
        typer.Option(
            "--title-pause-ms",
            min=0,
            max=10_000,
            help="Pause after the title, in ms.",
            rich_help_panel=AUDIO,
        ),
    ] = 1200,
    bitrate: Annotated[
        int, typer.Option(help="MP3 bitrate in kbps (constant).", rich_help_panel=AUDIO)
    ] = 96,
    loudness: Annotated[
        float,
        typer.Option(
            min=-24.0,
            max=-14.0,
            help="Integrated loudness target in LUFS, -24 to -14 (true peak stays under -1 dBTP).",
            rich_help_panel=AUDIO,
        ),
    ] = -16.0,
    no_normalize: Annotated[
        bool,
        typer.Option(
            "--no-normalize",
            help="Keep the engine's own level: no loudness normalization or limiting.",
            rich_help_panel=AUDIO,
        ),
    ] = False,
    title: Annotated[
        str | None,
        typer.Option(
            help="Episode title (default: the article's title, else its file name).",
            rich_help_panel=TAGS,
        ),
    ] = None,
    author: Annotated[
        str | None, typer.Option(help="Author (ID3 TPE1).", rich_help_panel=TAGS)
    ] = None,
    show: Annotated[
        str | None, typer.Option(help="Show or album name (TALB).", rich_help_panel=TAGS)
    ] = None,
    description: Annotated[
        str | None,
        typer.Option(help="Description (COMM; default: the subtitle).", rich_help_panel=TAGS),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            help="Language tag, e.g. en (TLAN; default: --lang, else en).", rich_help_panel=TAGS
        ),
    ] = None,
    cover: Annotated[
        Path | None, typer.Option(help="Cover image, JPEG or PNG (APIC).", rich_help_panel=TAGS)
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            help="Release date, YYYY or YYYY-MM-DD (none is written unless given).",
            rich_help_panel=TAGS,
        ),
    ] = None,
    chapters: Annotated[
        ChapterMode,
        typer.Option(
            help="Chapters at headings (falling back to paragraphs when "
            "there are none), at paragraphs, or none.",
            rich_help_panel=TAGS,
        ),
    ] = ChapterMode.HEADINGS,
    id3v24: Annotated[
        bool,
        typer.Option(
            "--id3v24",
            help="Write ID3v2.4 instead of the more widely read v2.3.",
            rich_help_panel=TAGS,
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            help="Config file with \\[render], \\[metadata] and \\[lexicon] tables (default: "
            "./letteraudio.toml, else the one in the user config folder).",
            rich_help_panel=TAGS,
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where spoken segments and encoded paragraphs are cached (default: the user "
            "cache folder).",
            rich_help_panel=AUDIO,
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help="Speak every segment afresh; store nothing.", rich_help_panel=AUDIO
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            max=64,
            help="Segments spoken at once: piper workers use two cores each (default: one "
            "per two cores); gtts keeps that many requests in flight (default: 8, halved "
            "on 429). The audio is the same whatever the number.",
            rich_help_panel=AUDIO,
        ),
    ] = None,
    no_clobber: Annotated[
        bool,
        typer.Option("--no-clobber", help="Refuse to replace an existing output file."),
    ] = False,
    max_chars: MaxChars = 1_000_000,
    text_format: TextFormat = None,
    keep_boilerplate: KeepBoilerplate = False,
    lexicon: LexiconOption = None,
    vtt: Annotated[
        bool,
        typer.Option(
            help="Write a WebVTT transcript beside the MP3 (.vtt).", rich_help_panel=PUBLISH
        ),
    ] = True,
    srt: Annotated[
        bool,
        typer.Option(help="Write SRT subtitles beside the MP3 (.srt).", rich_help_panel=PUBLISH),
    ] = True,
    chapters_json: Annotated[
        bool,
        typer.Option(
            help="Write Podcasting 2.0 chapters beside the MP3 (.chapters.json).",
            rich_help_panel=PUBLISH,
        ),
    ] = True,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the segments, pauses and estimated duration; speak nothing."
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")
    ] = False,
) -> None:
    """Narrate ARTICLE into one tagged MP3 with pauses between paragraphs."""
    from letteraudio.cache import ClipCache, default_cache_dir
    from letteraudio.config import find_config, load_metadata
    from letteraudio.engines import EngineSettings, create_engine, engine_class
    from letteraudio.pipeline import RenderSettings, Voices, narrate
    from letteraudio.publish.sidecars import SidecarChoice
    from letteraudio.tags import Metadata, read_cover
    from letteraudio.text.fetch import is_url
    from letteraudio.text.segment import Pauses

    started = time.perf_counter()
    with _errors_to_exit_codes():
        config_path = find_config(config)
        configured = _configured(ctx, config_path)
        value = {key: setting.value for key, setting in configured.items()}
        engine, voice, lang, speed = value["engine"], value["voice"], value["lang"], value["speed"]
        speaker, voices_dir, fallback = value["speaker"], value["voices_dir"], value["fallback"]
        pause_ms, title_pause_ms = value["pause_ms"], value["title_pause_ms"]
        bitrate, loudness, chapters = value["bitrate"], value["loudness"], value["chapters"]
        engine_type = engine_class(engine)
        if configured["tld"].source == "option" or engine_type.name == "gtts":
            tld = value["tld"]  # a tld in the config file is for gtts only
        if configured["deterministic"].source == "option" or not engine_type.online:
            deterministic = value["deterministic"]  # and --deterministic for offline voices
        _check_engine_options(engine_type, tld=tld, slow=slow, timeout=timeout,
                              retries=retries, deterministic=deterministic)  # fmt: skip
        if fallback is not None:
            engine_class(fallback)
        settings = RenderSettings(
            pauses=replace(Pauses(), paragraph=pause_ms, title=title_pause_ms),
            bitrate_kbps=bitrate,
            loudness_lufs=None if no_normalize else loudness,
            chapters=ChapterMode(chapters),
            id3v24=id3v24,
            replace=not no_clobber,
        )
        from_web = is_url(article)  # its output name comes from the page, once read
        if not from_web:
            target = _checked_target(output, article, _stem(article), dry_run, no_clobber)
        defaults = load_metadata(config_path)
        given = {"title": title, "author": author, "show": show, "description": description,
                 "language": language, "cover": cover, "date": date}  # fmt: skip
        if given["cover"]:
            read_cover(Path(given["cover"]))
        if given["date"]:
            _check_date(str(given["date"]))
        if article == "-" and sys.stdin.isatty() and not quiet:
            typer.echo("Reading the article from standard input; end it with Ctrl-D.", err=True)
        script, source = _script(
            article, engine_type, settings.pauses, text_format, keep_boilerplate,
            lexicon, config_path, max_chars, lang, voice,
        )  # fmt: skip
        stem = source.stem(script.document.title)
        if from_web:
            target = _checked_target(output, article, stem, dry_run, no_clobber)
        if dry_run:
            _print_script(script, engine_type.name, engine_type.chars_per_second * speed)
            return
        document = script.document
        from_document = _document_metadata(document.metadata, article, from_web)
        chosen = {**defaults, **from_document, **{k: v for k, v in given.items() if v}}
        if defaults.get("cover") and chosen.get("cover") == defaults["cover"]:
            read_cover(Path(defaults["cover"]))
        metadata = Metadata(
            title=str(chosen.get("title") or document.title or stem),
            author=chosen.get("author"),
            show=chosen.get("show"),
            description=chosen.get("description") or document.subtitle,
            language=chosen.get("language") or lang or "en",
            cover=Path(chosen["cover"]) if chosen.get("cover") else None,
            date=chosen.get("date"),
        )
        cache = None if no_cache else ClipCache(cache_dir or default_cache_dir())
        kept = cache.folder if cache else None
        engine_settings = EngineSettings(
            voice=voice, lang=lang, tld=tld or "com", slow=slow,
            timeout=timeout or DEFAULT_TIMEOUT, deterministic=deterministic,
            retries=DEFAULT_RETRIES if retries is None else retries, jobs=jobs,
            speed=speed, speaker=speaker, voices_dir=_path(voices_dir), cache_dir=kept,
        )  # fmt: skip
        backup = None
        if fallback:
            backup = create_engine(fallback, EngineSettings(speed=speed, jobs=jobs, cache_dir=kept))
        try:
            main_engine = create_engine(engine, engine_settings)
        except NetworkError as error:
            if backup is None:
                raise
            typer.echo(
                f"Note: {error.args[0].split(';')[0]}; {backup.name} speaks it all.", err=True
            )
            main_engine, backup = backup, None
        voices = Voices(
            engine=main_engine,
            fallback=backup,
            cache=cache,
            jobs=jobs,
        )
        show_progress = not quiet and sys.stderr.isatty()
        with _progress_bar(len(script.segments), show_progress) as progress:
            episode = narrate(script, voices, target, settings, metadata, progress)
        _write_sidecars(script, episode, metadata, voices.engine, settings,
                        SidecarChoice(vtt=vtt, srt=srt, chapters_json=chapters_json),
                        source.url)  # fmt: skip
        if not quiet:
            typer.echo(_summary(episode, time.perf_counter() - started))
            reached = episode.loudness.integrated_lufs if episode.loudness else loudness
            if abs(reached - loudness) > NOTE_LOUDNESS_OFF_LU:
                typer.echo(
                    f"Note: it measures {reached:.1f} LUFS, not {loudness:g}: speech this short "
                    "or this uneven cannot be levelled further without distortion.",
                    err=True,
                )
            if voices.fallback and voices.fallback.name in episode.speakers:
                typer.echo(_speaker_summary(script, episode.speakers, voices.fallback.name))


@app.command()
def check(
    mp3: Annotated[Path, typer.Argument(metavar="FILE.mp3", help="The MP3 to check.")],
    loudness: Annotated[
        float, typer.Option(help="Integrated loudness target in LUFS (pass within \u00b11 LU).")
    ] = -16.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check an MP3 as a podcast host would; exit 1 when a rule fails."""
    from letteraudio.check import check_mp3

    with _errors_to_exit_codes():
        if not mp3.is_file():
            raise InputError(f"{mp3}: no such file" if not mp3.exists() else f"{mp3}: not a file")
        report = check_mp3(mp3, target_lufs=loudness)
        if as_json:
            typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        else:
            _print_report(report)
        if not report.passed:
            raise typer.Exit(EXIT_ERROR)


@app.command()
def feed(
    folder: Annotated[
        Path, typer.Argument(metavar="OUTPUT_DIR", help="The folder of rendered episodes.")
    ],
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Public address where the folder will be published, e.g. "
            "https://example.com/podcast/ (remembered).",
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="The show's title (default: show in the \\[metadata] table).")
    ] = None,
    description: Annotated[
        str | None,
        typer.Option(help="The show's description, at most 4000 bytes (default: the title)."),
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Language of the show, e.g. en or en-GB (default: en).")
    ] = None,
    link: Annotated[
        str | None,
        typer.Option(help="The show's web site (default: the folder's index.html)."),
    ] = None,
    author: Annotated[str | None, typer.Option(help="Author shown in podcast apps.")] = None,
    image: Annotated[
        str | None,
        typer.Option(
            help="Artwork: a URL, or a file name in the folder (JPEG or PNG, 1400-3000 px; "
            "default: a square drawn from the show's title)."
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(help="Apple category, e.g. 'Arts' or 'Society & Culture > Documentary'."),
    ] = None,
    explicit: Annotated[
        bool | None,
        typer.Option(
            "--explicit/--no-explicit", help="Whether the show is explicit (default: not)."
        ),
    ] = None,
    email: Annotated[
        str | None, typer.Option(help="Owner e-mail (itunes:owner; Apple verifies it).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help="Config file with a \\[feed] table (default: ./letteraudio.toml)."),
    ] = None,
) -> None:
    """Write OUTPUT_DIR/feed.xml, a page per episode and index.html, from every MP3 there.

    Settings are remembered in the folder: next time, OUTPUT_DIR alone is enough.
    """
    from letteraudio.config import find_config, load_metadata, load_section
    from letteraudio.publish.folder import publish_folder

    started = time.perf_counter()
    with _errors_to_exit_codes():
        config_path = find_config(config)
        metadata = load_metadata(config_path)
        defaults = {"title": metadata.get("show"), "author": metadata.get("author"),
                    "language": metadata.get("language")}  # fmt: skip
        options = {"base_url": base_url, "title": title, "description": description,
                   "language": language, "link": link, "author": author, "image": image,
                   "category": category, "explicit": explicit, "email": email}  # fmt: skip
        layers = [defaults, load_section(config_path, "feed"), options]
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        published = publish_folder(folder, layers, now)
        for note in published.notes:
            typer.echo(f"Note: {note}", err=True)
        typer.echo(
            f"Wrote {published.feed}: {_plural(len(published.episodes), 'episode')}, "
            f"{_plural(len(published.pages), 'page')} (index.html and one per episode), "
            f"in {time.perf_counter() - started:.1f} s"
        )


@app.command()
def serve(
    folder: Annotated[Path, typer.Argument(metavar="OUTPUT_DIR", help="The folder to serve.")],
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")
    ] = 8000,
) -> None:
    """Serve a published folder at http://127.0.0.1:PORT/ for a preview; Ctrl-C stops it.

    Byte ranges are answered, as podcast apps and browsers need for seeking.
    """
    from letteraudio.publish.server import make_server

    with _errors_to_exit_codes():
        server = make_server(folder, port)
    host, bound = server.server_address[:2]
    typer.echo(f"Serving {folder} at http://{host!s}:{bound}/ (Ctrl-C to stop)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("Stopped.")
    finally:
        server.server_close()


cache_app = typer.Typer(help="Look at or empty the cache of spoken segments.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
def cache_info(
    cache_dir: Annotated[Path | None, typer.Option(help="The cache folder to look at.")] = None,
) -> None:
    """Where the cache is, what it holds and its size."""
    from letteraudio.cache import ClipCache, default_cache_dir

    with _errors_to_exit_codes():
        cache = ClipCache(cache_dir or default_cache_dir())
        info = cache.info()
        typer.echo(
            f"{cache.folder}: {_plural(info.clips, 'spoken sentence')}, "
            f"{_plural(info.chunks, 'encoded paragraph')}, "
            f"{_plural(info.models, 'prepared voice')}; {info.bytes / 1e6:.1f} MB"
        )


@cache_app.command("clear")
def cache_clear(
    cache_dir: Annotated[Path | None, typer.Option(help="The cache folder to empty.")] = None,
) -> None:
    """Delete everything in the cache (it is all made again when needed)."""
    from letteraudio.cache import ClipCache, default_cache_dir

    with _errors_to_exit_codes():
        cache = ClipCache(cache_dir or default_cache_dir())
        removed = cache.clear()
        typer.echo(
            f"Removed {removed:,} {'entry' if removed == 1 else 'entries'} from {cache.folder}"
        )


@app.command()
def engines() -> None:
    """List the text-to-speech engines and whether each can run here."""
    from letteraudio.engines import engine_statuses

    lines = [("engine", "network", "status", "about")]
    for status in engine_statuses():
        name = f"{status.name} (default)" if status.name == DEFAULT_ENGINE else status.name
        state = "usable" if status.usable else f"unusable: {status.problem}"
        lines.append((name, "online" if status.online else "offline", state, status.description))
    _print_columns(lines)


@app.command("voices")
def list_voices(
    engine: Annotated[
        str | None, typer.Option("--engine", "-e", help="Only this engine's voices.")
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="Only voices for this language, e.g. en, en-GB, fr.")
    ] = None,
    tld: Annotated[
        str, typer.Option(help="Google domain whose accent gtts would use: com, co.uk...")
    ] = "com",
    voices_dir: VoicesDir = None,
    config: Annotated[
        Path | None, typer.Option(help="Config file that may name a voices folder.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the voices as JSON.")] = False,
) -> None:
    """List the voices each engine offers: id, language, gender, quality, where it comes from
    and its licence."""
    from letteraudio.config import effective_settings, find_config
    from letteraudio.engines import (
        EngineSettings,
        engine_class,
        engine_names,
        engine_voices,
        speaks,
    )

    with _errors_to_exit_codes():
        folder = effective_settings(
            {"voices_dir": (voices_dir, voices_dir is not None)}, find_config(config)
        )["voices_dir"].value
        settings = EngineSettings(tld=tld, voices_dir=_path(folder))
        rows: list[dict[str, str]] = []
        for name in [engine] if engine else engine_names():
            engine_type = engine_class(name)
            offered = engine_voices(engine_type, settings)
            if not offered and (problem := engine_type.unavailable_reason()):
                typer.echo(f"Note: {name} lists no voices: {problem}", err=True)
            rows += [
                {"engine": name, **asdict(voice)}
                for voice in offered
                if lang is None or speaks(voice.language, lang)
            ]
        if lang is not None and not rows:
            raise InputError(f"no voice speaks {lang!r} (see: letteraudio voices)")
        if as_json:
            typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        columns = ("engine", "id", "language", "gender", "quality", "source", "licence",
                   "description")  # fmt: skip
        lines = [("engine", "voice", "language", "gender", "quality", "source", "licence",
                  "about")]  # fmt: skip
        _print_columns(lines + [tuple(row[column] for column in columns) for row in rows])


config_app = typer.Typer(help="Show the settings letteraudio.toml gives.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command(
    "show", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def config_show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the settings as JSON.")] = False,
) -> None:
    """Print the settings `letteraudio render` would use and where each comes from
    (default, config file, environment or option). Render options given after
    `show` (e.g. `--speed 1.2 --config my.toml`) are taken into account."""
    from letteraudio.config import find_config, load_metadata, user_config_path

    # Parsed by render itself (outside the error wrapper: a bad option is a usage error).
    render_command = typer.main.get_command(app).commands["render"]  # type: ignore[attr-defined]
    render_ctx = render_command.make_context("letteraudio render", ["-", *ctx.args])
    with _errors_to_exit_codes():
        config_path = find_config(render_ctx.params["config"])
        settings = _configured(render_ctx, config_path)
        metadata = load_metadata(config_path)
        if as_json:
            document = {
                "config": str(config_path) if config_path else None,
                "render": {k: {"value": _plain(v.value), "source": v.source}
                           for k, v in sorted(settings.items())},
                "metadata": metadata,
            }  # fmt: skip
            typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
            return
        if config_path:
            typer.echo(f"config file: {config_path}")
        else:
            typer.echo(
                f"config file: none (looked for ./letteraudio.toml and {user_config_path()})"
            )
        for key, setting in sorted(settings.items()):
            shown = "(none)" if setting.value is None else _plain(setting.value)
            typer.echo(f"{key.replace('_', '-'):<16} {shown!s:<24} {setting.source}")
        for key, text in metadata.items():
            typer.echo(f"{key:<16} {text!s:<24} {config_path} [metadata]")


def main() -> None:
    """Entry point for the ``letteraudio`` script: usage errors, too, are one line."""
    from letteraudio.memory import limit_heap_growth

    exceptions = _click_exceptions()
    signal.signal(signal.SIGTERM, _terminate)
    limit_heap_growth()
    try:
        code = app(standalone_mode=False)
    except exceptions.NoArgsIsHelpError as error:
        error.show()
        sys.exit(EXIT_BAD_INPUT)
    except exceptions.UsageError as error:
        command = error.ctx.command_path if error.ctx else "letteraudio"
        message = " ".join(error.format_message().split())
        typer.echo(f"Error: {message} (see: {command} --help)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except exceptions.ClickException as error:
        typer.echo(f"Error: {' '.join(error.format_message().split())}", err=True)
        sys.exit(error.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("Interrupted: nothing was written.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:  # the reader went away (`letteraudio script a.txt | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)


def _click_exceptions() -> Any:
    """Click's exception classes: typer 0.29 and later carry their own copy of click."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - older typer uses click itself
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so temporary files are removed on the way out."""
    raise KeyboardInterrupt


# --- helpers -------------------------------------------------------------------------


@contextlib.contextmanager
def _errors_to_exit_codes() -> Iterator[None]:
    """Turn library errors into one line on stderr and an exit code, never a traceback."""
    try:
        yield
    except (typer.Exit, typer.Abort, BrokenPipeError):
        raise
    except KeyboardInterrupt:
        typer.echo("Interrupted: nothing was written.", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (InputError, EngineUnavailable) as error:
        _fail(str(error), EXIT_BAD_INPUT)
    except LetterAudioError as error:
        _fail(str(error), EXIT_ERROR)
    except Exception as error:
        if os.environ.get("LETTERAUDIO_DEBUG"):
            raise
        _fail(f"unexpected {type(error).__name__}: {error} (LETTERAUDIO_DEBUG=1 shows more)", 1)


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"Error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


def _configured(ctx: typer.Context, config_path: Path | None) -> dict[str, Setting]:
    """This command's configurable options, each from the command line, else the
    environment, else the config file's ``[render]`` table, else the option's default."""
    from letteraudio.config import RENDER_KEYS, effective_settings

    options = {}
    for key in RENDER_KEYS.keys() & ctx.params.keys():
        source = ctx.get_parameter_source(key)
        given = source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")
        value = ctx.params[key]
        options[key] = (value.value if isinstance(value, ChapterMode) else value, given)
    return effective_settings(options, config_path)


def _path(value: str | Path | None) -> Path | None:
    return Path(value) if value else None


def _print_columns(lines: Sequence[Sequence[str]]) -> None:
    """Print rows in aligned columns, one line each (the last column is never padded)."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]) - 1)]
    for line in lines:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        typer.echo("  ".join([*cells, line[-1]]).rstrip())


def _plain(value: object) -> object:
    """A setting as JSON or text shows it."""
    return str(value) if isinstance(value, Path) else value


def _check_engine_options(
    engine: type[Engine],
    tld: str | None,
    slow: bool,
    timeout: float | None,
    retries: int | None,
    deterministic: bool,
) -> None:
    """Refuse options the chosen engine would silently ignore."""
    if engine.name != "gtts" and (tld is not None or slow):
        raise InputError(f"--tld and --slow are gtts options; the {engine.name} engine has neither")
    if not engine.online and (timeout is not None or retries is not None):
        raise InputError(
            f"--timeout and --retries are for online engines; {engine.name} is offline"
        )
    if engine.online and deterministic:
        raise InputError(f"--deterministic is for offline voices; {engine.name} cannot promise it")


def _write_sidecars(
    script: Script,
    episode: Episode,
    metadata: Metadata,
    engine: Engine,
    settings: RenderSettings,
    choice: SidecarChoice,
    link: str | None = None,
) -> None:
    """Transcripts, chapters JSON and the episode file beside the MP3 just written.

    Transcripts and pages show the article's own words (a lexicon entry changes only
    what is spoken)."""
    from letteraudio.publish.episode import episode_guid
    from letteraudio.publish.sidecars import episode_info, write_sidecars

    texts = [segment.text for segment in script.segments]
    shown = [segment.written for segment in script.segments]
    audio_settings = {"pauses": asdict(settings.pauses), "bitrate_kbps": settings.bitrate_kbps,
                      "loudness_lufs": settings.loudness_lufs}  # fmt: skip
    info = episode_info(
        guid=episode_guid(texts, engine.identity(), audio_settings),
        title=metadata.title,
        texts=shown,
        spans=[(span.start_ms, span.end_ms) if span else None for span in episode.spans],
        chapters=episode.chapters,
        blocks=[segment.paragraph for segment in script.segments],
        description=metadata.description,
        author=metadata.author,
        language=metadata.language,
        link=link,
        words=[span.words if span else None for span in episode.spans],
        spoken=texts,
    )
    write_sidecars(episode.path, info, choice)


def _speaker_summary(script: Script, speakers: list[str], fallback: str) -> str:
    """Which blocks the fallback engine spoke, e.g. ``piper spoke: title, paragraph 3``."""
    from letteraudio.pipeline import describe_block

    blocks = dict.fromkeys(
        describe_block(segment)
        for segment, speaker in zip(script.segments, speakers, strict=True)
        if speaker == fallback
    )
    return f"The fallback {fallback} spoke: {', '.join(blocks)}"


def _checked_target(
    output: str | None, article: str, stem: str, dry_run: bool, no_clobber: bool
) -> Path:
    """The MP3's path, refused when it is the article itself, unwritable, or (with
    ``--no-clobber``) there already."""
    from letteraudio.audio.encode import check_writable
    from letteraudio.text.fetch import is_url
    from letteraudio.text.read import STDIN

    target = _target(output, stem)
    if (
        article != STDIN
        and not is_url(article)
        and target.exists()
        and (target.resolve() == Path(article).resolve())
    ):
        raise InputError(f"the output {target} is the article itself: choose another -o")
    if not dry_run:
        check_writable(target)
        if no_clobber and target.exists():
            raise InputError(f"{target} exists (--no-clobber): choose another -o or remove it")
    return target


def _target(output: str | None, stem: str) -> Path:
    """Where the MP3 goes: ``-o`` (a file, or a folder to put it in) or output/<stem>.mp3.

    ``output`` stays a string until here: a Path would lose the trailing slash that marks
    a folder not made yet."""
    name = f"{stem}.mp3"
    if output is None:
        return DEFAULT_OUTPUT_DIR / name
    path = Path(output).expanduser()
    if path.is_dir() or output.endswith(("/", os.sep)):
        return path / name
    return path


def _stem(article: str) -> str:
    """The output name for an article file: its stem, or ``article`` for stdin."""
    from letteraudio.text.source import Source

    return Source(article, "", "text").stem()


def _document_metadata(
    metadata: Mapping[str, str], article: str, from_web: bool = False
) -> dict[str, str]:
    """What a document says about itself, taken leniently: a date is kept only when it
    starts with YYYY-MM-DD (or is a year), a cover only when it is a readable image
    beside the article; anything else is left out rather than refused."""
    from letteraudio.tags import read_cover

    kept = {k: v for k, v in metadata.items() if k in ("title", "author", "description",
                                                      "language", "show")}  # fmt: skip
    date = re.match(r"\d{4}-\d{2}-\d{2}|\d{4}$", str(metadata.get("date", "")).strip())
    if date:
        with contextlib.suppress(InputError):
            _check_date(date.group(0))
            kept["date"] = date.group(0)
    if metadata.get("cover") and article != "-" and not from_web:
        cover = Path(article).parent / str(metadata["cover"])
        with contextlib.suppress(InputError):
            read_cover(cover)
            kept["cover"] = str(cover)
    return kept


def _check_date(value: str) -> None:
    try:
        if re.fullmatch(r"\d{4}", value):
            return
        datetime.date.fromisoformat(value)
    except ValueError:
        pass
    else:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return
    raise InputError(f"date {value!r}: give YYYY or YYYY-MM-DD")


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _summary(episode: Episode, seconds: float) -> str:
    parts = [f"{_clock(episode.duration)} of audio"]
    if loudness := episode.loudness:
        parts.append(f"{loudness.integrated_lufs:.1f} LUFS, {loudness.true_peak_dbtp:.1f} dBTP")
    parts += [
        _plural(len(episode.chapters), "chapter"),
        f"{episode.size / 1e6:.1f} MB" if episode.size >= 1e6 else f"{episode.size / 1e3:.0f} kB",
        f"in {seconds:.1f} s",
    ]
    return f"Wrote {episode.path}: {', '.join(parts)}"


def _script(
    article: str,
    engine: type[Engine],
    pauses: Pauses,
    text_format: str | None,
    keep_boilerplate: bool,
    lexicon: Path | None,
    config_path: Path | None,
    max_chars: int,
    lang: str | None = None,
    voice: str | None = None,
) -> tuple[Script, Source]:
    """Read (from a file, stdin or a URL), parse, clean and segment an article."""
    from letteraudio.pipeline import ReadingSettings, build_script
    from letteraudio.text.source import read_source

    source = read_source(article, text_format)
    reading = ReadingSettings(
        format=source.format,
        keep_boilerplate=keep_boilerplate,
        lexicon=_lexicon(lexicon, config_path),
        phonemes=phoneme_alphabet(engine) or False,
        max_article_chars=max_chars,
        lang=lang,
        voice=voice,
    )
    return build_script(source.text, engine.max_chars, pauses, reading), source


def _lexicon(path: Path | None, config_path: Path | None) -> Lexicon | None:
    """The lexicon from ``--lexicon``, else the config file's ``[lexicon]`` table."""
    from letteraudio.config import load_section
    from letteraudio.text.lexicon import lexicon_from_table, load_lexicon

    if path is not None:
        return load_lexicon(path)
    table = load_section(config_path, "lexicon")
    return lexicon_from_table(table, f"config {config_path}") if table else None


def _script_json(script: Script, engine: type[Engine]) -> dict[str, object]:
    return {
        "title": script.document.title,
        "language": script.language,
        "engine": engine.name,
        "estimated_seconds": round(script.estimated_seconds(engine.chars_per_second), 1),
        "segments": [
            {
                "index": s.index,
                "kind": s.kind,
                "paragraph": s.paragraph,
                "text": s.text,
                "written": s.written,
                "pause_after_ms": s.pause_after_ms,
                "estimated_seconds": round(len(s.text) / engine.chars_per_second, 1),
            }
            for s in script.segments
        ],
        "tail_ms": script.pauses.tail,
        "dropped": [{"text": d.text, "reason": d.reason} for d in script.document.dropped],
        "links": _links_read_as_sites(script),
    }


def _links_read_as_sites(script: Script) -> list[dict[str, str]]:
    """Web addresses the voice reads as their site only: the rest of each is not said."""
    from letteraudio.text.normalize import URL, site

    found = []
    for segment in script.segments:
        for match in URL.finditer(segment.written):
            if match.group(0).rstrip("/") != site(match.group(0)):
                found.append({"url": match.group(0), "said": site(match.group(0))})
    return found


def _print_script(script: Script, engine: str, chars_per_second: float) -> None:
    for segment in script.segments:
        if segment is script.segments[-1]:
            pause = f"tail  {script.pauses.tail:>5} ms"
        else:
            pause = f"pause {segment.pause_after_ms:>5} ms"
        typer.echo(f"{segment.index + 1:>4}  {segment.kind:<9}  {pause}  {segment.written}")
        if segment.text != segment.written:
            typer.echo(f"{'':>4}  {'said':<9}  {'':<14}  {segment.text}")
    characters = sum(len(s.text) for s in script.segments)
    typer.echo(
        f"{_plural(len(script.segments), 'segment')}, {_plural(characters, 'character')}; "
        f"estimated duration {_clock(script.estimated_seconds(chars_per_second))} with {engine}"
    )
    outside = [d.text for d in script.document.dropped if d.reason == OUTSIDE_ARTICLE]
    for dropped in script.document.dropped:
        if dropped.reason != OUTSIDE_ARTICLE or len(outside) <= LIST_OUTSIDE_BLOCKS:
            typer.echo(f"dropped ({dropped.reason}): {dropped.text}")
    if len(outside) > LIST_OUTSIDE_BLOCKS:  # a web page's menus, teasers, footers...
        examples = "; ".join(outside[:3])
        typer.echo(f"dropped ({OUTSIDE_ARTICLE}): {len(outside)} blocks of the page, such as "
                   f"{examples} (--json lists them all)")  # fmt: skip
    for link in _links_read_as_sites(script):
        typer.echo(f"link read as its site ({link['said']}; the rest is not said): {link['url']}")


def _print_report(report: Report) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    colours = {"ok": "green", "warn": "yellow", "fail": "bold red"}
    table = Table(
        "check", "value", "result", "detail", title=str(report.path), title_justify="left"
    )
    for finding in report.findings:
        status = finding.status.value
        table.add_row(finding.check, Text(finding.value), Text(status, colours[status]),
                      Text(finding.detail))  # fmt: skip
    console = Console(highlight=False)
    console.print(table)
    console.print("passed" if report.passed else "FAILED: a podcast host would reject this file")


@contextlib.contextmanager
def _progress_bar(total: int, enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar over segments on stderr, or None when disabled."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("Speaking"), BarColumn(), MofNCompleteColumn(), TextColumn("segments"),
        TimeRemainingColumn(), console=Console(stderr=True), transient=True,
    )  # fmt: skip
    task = bar.add_task("speak", total=total)
    with bar:
        yield lambda done, _total, _segment: bar.update(task, completed=done)
