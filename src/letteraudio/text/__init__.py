"""Text stages: read bytes into text, parse it into a document, cut it into segments."""
