"""`stepshot bench`: how fast the capture is against shot-scraper and a bare Playwright floor, and how the
site build scales with its locales. Results go to BENCHMARKS.md (README.md, "Quality gates and benchmarks")."""
