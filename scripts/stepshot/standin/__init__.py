"""The local stand-in of LinkedIn's settings path: same URL paths, roles and labels (ARCHITECTURE.md).

`server.running()` serves it on a free loopback port; `stepshot stand-in` serves it in the foreground.
"""
