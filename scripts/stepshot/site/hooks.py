"""MkDocs hooks (mkdocs.yml `hooks:`): thin glue from MkDocs events to stepshot.site.build.

Event order with mkdocs-static-i18n: on_config, on_files, ... on_post_build run once for the default
locale; its post-build step (priority -100) then rebuilds every other locale, each running all events
again with `i18n.building` set. Our on_post_build runs at -200, after that: with `building` unset again
it is the end of the whole build. A stepshot error becomes a PluginError: the build fails with its line.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

import jieba
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from stepshot.checkout import Checkout
from stepshot.errors import StepshotError
from stepshot.settings import Settings
from stepshot.site.build import SiteBuild

_build: SiteBuild | None = None

# Material's search cuts Chinese text into words with jieba when it is installed (a word inside an unspaced
# phrase could not be found otherwise); jieba would print its dictionary loading on stderr.
jieba.setLogLevel(logging.WARNING)


def _reported(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except StepshotError as exc:
            raise PluginError(str(exc)) from None
    return wrapper


@_reported
def on_config(config):
    """The build's one reading of the environment (the CLI's equivalent for the site): the checkout is
    the folder of mkdocs.yml."""
    global _build
    if not config.plugins["i18n"].building:
        settings = Settings.from_environ(os.environ)
        _build = SiteBuild(config, Checkout(Path(config.config_file_path).parent.resolve(), settings))
    return config


@event_priority(-110)  # after mkdocs-static-i18n has sorted the files per locale
@_reported
def on_files(files, config):
    return _build.files(files, config)


@_reported
def on_page_markdown(markdown, page, config, files):
    return _build.markdown(markdown, page)


@_reported
def on_page_content(html, page, config, files):
    return _build.content(html, page)


@_reported
def on_page_context(context, page, config, nav):
    _build.context(page, config)
    return context


@_reported
def on_post_page(output, page, config):
    return _build.post_page(output, page)


@event_priority(-200)
@_reported
def on_post_build(config):
    if not config.plugins["i18n"].building:
        _build.finish(config)
