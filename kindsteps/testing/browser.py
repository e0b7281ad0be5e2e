"""Playwright fixtures driving Debian's Chromium (/usr/bin/chromium)."""
