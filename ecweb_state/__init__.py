"""Reflex State classes behind the pages: thin, they validate input and call ecweb_core."""
