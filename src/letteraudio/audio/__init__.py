"""Audio stages: stitch clips and pauses into one timeline, encode it to MP3."""
