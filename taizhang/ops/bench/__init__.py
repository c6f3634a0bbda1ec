"""`taizhang bench` / `make bench`: the P1–P8 benchmarks of issue 7, written to BENCHMARKS.md.

orchestrate.py  builds the bench databases (never the dev database), runs one measuring
                process per database and writes the report
cases.py        the eight benchmarks, each a subject against a baseline in the same process
timing.py       alternated rounds, medians, profiles
urls.py         the bench-only urlconf (a bare view and a constant ninja endpoint)
report.py       BENCHMARKS.md
"""
