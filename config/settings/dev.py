"""Local settings for `make run`: debug on, SQLite under ./var/."""

from .base import *  # noqa: F403

DEBUG = True
