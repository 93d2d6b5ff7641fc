"""The demo world `computegov serve --demo` opens: a registry of today's chips, parties,
licenses, transfers and flags, built through the same signed actions as real data into its
own data directory and its own log (origin `localhost/computegov-demo`), never a real one.

`builder.open_demo` builds it once (into a sibling folder, renamed into place only when the
whole world is built) and opens it as it is afterwards; `world.MODULES` lists the modules
that build it, one per capability (docs/demo.md says how to add one).
"""
