"""The public API, re-exported from :mod:`letteraudio.render`: read an article, plan its
render, speak each paragraph, join them.

A render is a map::

    planned = plan(article, settings)                    # pure: loads no voice
    parts = [render_paragraph(task) for task in planned.tasks]   # any map, any machine
    episode = join(planned, parts, "out/letter.mp3")

Tasks and parts are plain picklable values: a task names its voice by spec, and the
engine is built again from that spec once in each process. :func:`narrate` is the same
three steps with a local map that shares one engine between paragraphs and streams
(its sentences are spoken several at once, across paragraph ends), so it gives the same
bytes as any other map.
"""

from __future__ import annotations

from letteraudio.render.batch import narrate_many as narrate_many
from letteraudio.render.join import join as join
from letteraudio.render.maps import PartsMap as PartsMap
from letteraudio.render.maps import parts_map as parts_map
from letteraudio.render.maps.local import LocalMap as LocalMap
from letteraudio.render.model import Article as Article
from letteraudio.render.model import Episode as Episode
from letteraudio.render.model import Paragraph as Paragraph
from letteraudio.render.model import Part as Part
from letteraudio.render.model import Plan as Plan
from letteraudio.render.model import Progress as Progress
from letteraudio.render.model import Task as Task
from letteraudio.render.narrate import narrate as narrate
from letteraudio.render.paragraph import render_paragraph as render_paragraph
from letteraudio.render.paragraph import task_key as task_key
from letteraudio.render.plan import plan as plan
from letteraudio.render.plan import spoken_sentences as spoken_sentences
from letteraudio.render.sidecars import render_digest as render_digest
from letteraudio.render.sidecars import up_to_date as up_to_date
from letteraudio.render.target import DEFAULT_OUTPUT_DIR as DEFAULT_OUTPUT_DIR
from letteraudio.render.target import check_target as check_target
from letteraudio.render.target import target_for as target_for
from letteraudio.settings import Settings as Settings
from letteraudio.settings import Voice as Voice
from letteraudio.tags import check_date as check_date
