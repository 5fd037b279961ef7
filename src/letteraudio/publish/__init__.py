"""Publishing a rendered episode: transcripts, chapters JSON, a podcast feed, web pages, a server.

Builders here are pure (data in, text out); writing files is left to :mod:`.sidecars`
and :mod:`.folder`, serving them to :mod:`.server`.
"""
