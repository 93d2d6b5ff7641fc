"""The registry's server-rendered pages: Jinja2 templates, one stylesheet, no front-end build."""
