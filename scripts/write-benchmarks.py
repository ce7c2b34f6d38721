#!/usr/bin/env python3
"""Puts one benchmark's section into BENCHMARKS.md: `write-benchmarks.py NAME HEADING SECTION_FILE`.

The section (its own `<!-- NAME:start -->` ... `<!-- NAME:end -->` markers included) replaces the one
between those markers, or goes at the end under `## HEADING` the first time. Prints the section."""
import os, re, sys

name, heading, path = sys.argv[1:4]
section = open(path).read().strip()
start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
if not section.startswith(start) or not section.endswith(end):
    sys.exit(f"{path}: the section must begin with {start} and end with {end}")
text = open("BENCHMARKS.md").read() if os.path.exists("BENCHMARKS.md") else "# Benchmarks\n"
if start in text:
    text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: section, text, flags=re.S)
else:
    text = text.rstrip("\n") + f"\n\n## {heading}\n\n{section}\n"
open("BENCHMARKS.md", "w").write(text)
print(section)
print("BENCHMARKS.md updated")
