"""A render is ``plan -> map(render_paragraph) -> join``, and the modules say so, each
importing only those above it in this list:

- :mod:`~letteraudio.render.model`: the plain values (article, script, paragraph, task,
  part, plan, episode);
- :mod:`~letteraudio.render.plan`: article + settings -> plan (pure);
- :mod:`~letteraudio.render.speak`: sentences -> clips (threads, fallback, clip cache);
- :mod:`~letteraudio.render.paragraph`: the one per-paragraph loop (key -> cache -> speak
  -> master -> store) and the engines it speaks with;
- :mod:`~letteraudio.render.sidecars`, :mod:`~letteraudio.render.join`,
  :mod:`~letteraudio.render.target` (the one output-path rule);
- :mod:`~letteraudio.render.maps`: the declared ``PartsMap`` and its ``local`` (threads)
  and ``dask`` implementations;
- :mod:`~letteraudio.render.narrate` (one article) and :mod:`~letteraudio.render.batch`
  (many).

The public names are :mod:`letteraudio`'s (see :mod:`letteraudio.api`).
"""
