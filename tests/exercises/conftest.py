"""The Chromium `page` fixture moved to tests/conftest.py: the teaching tests drive a browser too."""
