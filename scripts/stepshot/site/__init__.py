"""The site's build-time parts: MkDocs hooks (hooks.py) and what they use.

Markers in the Markdown (`{{ label:KEY }}`, `{{ steps:FLOW }}`, ...) are expanded from the label files, the
flow file and the screenshot manifest; anything unknown fails the build.
"""
